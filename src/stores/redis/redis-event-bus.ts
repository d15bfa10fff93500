import { createHash } from 'node:crypto';
import type { EventBus, PushEvent } from '../../core/events.js';
import type { PubSubClient, RedisConnection } from './redis-connection.js';
import { toUnavailable } from './redis-errors.js';

/** On a cluster, events spread over this many sharded channels (by user), so no single shard carries them all. */
export const CLUSTER_EVENT_SHARDS = 16;

const SINGLE_CHANNEL = 'hd:ev';
const shardChannel = (shard: number) => `hd:ev:{${shard}}`;

function shardOf(userId: string): number {
  return createHash('sha1').update(userId).digest().readUInt16BE(0) % CLUSTER_EVENT_SHARDS;
}

function parseEvent(message: string): PushEvent | null {
  try {
    const event = JSON.parse(message) as PushEvent;
    return typeof event?.type === 'string' && typeof event.userId === 'string' && typeof event.data === 'object'
      ? event
      : null;
  } catch {
    return null;
  }
}

/**
 * EventBus over Redis pub/sub: PUBLISH/SUBSCRIBE on one channel on a single server; sharded pub/sub
 * (SPUBLISH/SSUBSCRIBE, Redis 7) on a cluster, one channel per user shard, so that events stay on the shard that
 * owns their channel instead of being broadcast over the whole cluster bus. Every instance, the publisher
 * included, receives each event once through Redis; delivery is at most once (pub/sub keeps nothing).
 */
export class RedisEventBus implements EventBus {
  readonly #redis: RedisConnection;
  readonly #subscriber: PubSubClient;
  readonly #listeners = new Set<(event: PushEvent) => void>();

  private constructor(redis: RedisConnection, subscriber: PubSubClient) {
    this.#redis = redis;
    this.#subscriber = subscriber;
  }

  static async open(redis: RedisConnection): Promise<RedisEventBus> {
    const subscriber = await redis.openPubSub();
    const bus = new RedisEventBus(redis, subscriber);
    const deliver = (message: string) => bus.#deliver(message);
    try {
      // Each subscription is bounded like a command: start-up fails rather than hangs on a Redis that stopped answering.
      if (redis.kind === 'cluster') {
        for (let shard = 0; shard < CLUSTER_EVENT_SHARDS; shard++) {
          await redis.bounded(subscriber.sSubscribe(shardChannel(shard), deliver));
        }
      } else {
        await redis.bounded(subscriber.subscribe(SINGLE_CHANNEL, deliver));
      }
    } catch (error) {
      subscriber.destroy();
      throw error;
    }
    return bus;
  }

  async publish(event: PushEvent): Promise<void> {
    const message = JSON.stringify(event);
    try {
      if (this.#redis.kind === 'cluster') {
        await this.#redis.commands.sPublish(shardChannel(shardOf(event.userId)), message);
      } else {
        await this.#redis.commands.publish(SINGLE_CHANNEL, message);
      }
    } catch (error) {
      throw toUnavailable(error);
    }
  }

  subscribe(listener: (event: PushEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#subscriber.close().catch(() => undefined);
  }

  #deliver(message: string): void {
    const event = parseEvent(message);
    if (!event) return;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // One failing stream must not keep the event from the others.
      }
    }
  }
}
