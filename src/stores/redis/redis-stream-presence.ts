import type { Clock } from '../../core/clock.js';
import type { StreamPresence } from '../../core/events.js';
import { generatePublicId } from '../../core/ids.js';
import { keyFamily } from './key-family.js';
import type { RedisConnection } from './redis-connection.js';
import { toUnavailable } from './redis-errors.js';

export const presenceKey = keyFamily('hd:sp:').key;

export interface RedisStreamPresenceOptions {
  clock: Clock;
  /** How long an entry lives without being refreshed: the time a dead instance's streams keep being counted. */
  ttlMs?: number;
  /** How often this instance refreshes its own entries (default a third of the TTL). */
  refreshMs?: number;
  /** Tells this instance's entries apart from others' (default random). */
  instanceId?: string;
}

/**
 * Open event streams per user across instances: a sorted set `hd:sp:{userId}` whose members are
 * `<instance>:<stream>` scored by when they expire. Each instance refreshes its own entries while it runs; those of
 * an instance that died stop being counted after the TTL and are pruned on the next count.
 */
export class RedisStreamPresence implements StreamPresence {
  readonly #redis: RedisConnection;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #instanceId: string;
  readonly #mine = new Map<string, Set<string>>();
  readonly #timer: NodeJS.Timeout;

  constructor(redis: RedisConnection, options: RedisStreamPresenceOptions) {
    this.#redis = redis;
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#instanceId = options.instanceId ?? generatePublicId();
    this.#timer = setInterval(() => void this.#refresh().catch(() => undefined), options.refreshMs ?? this.#ttlMs / 3);
    this.#timer.unref();
  }

  async add(userId: string, streamId: string): Promise<void> {
    let streams = this.#mine.get(userId);
    if (!streams) {
      streams = new Set();
      this.#mine.set(userId, streams);
    }
    streams.add(streamId);
    await this.#write(userId, [streamId]);
  }

  async remove(userId: string, streamId: string): Promise<void> {
    const streams = this.#mine.get(userId);
    streams?.delete(streamId);
    if (streams?.size === 0) this.#mine.delete(userId);
    await this.#run(() => this.#redis.commands.zRem(presenceKey(userId), this.#member(streamId)));
  }

  count(userId: string): Promise<number> {
    return this.#run(async () => {
      const key = presenceKey(userId);
      const now = this.#clock.now();
      await this.#redis.commands.zRemRangeByScore(key, '-inf', now);
      return this.#redis.commands.zCount(key, `(${now}`, '+inf');
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    const mine = [...this.#mine];
    this.#mine.clear();
    await Promise.all(
      mine.map(([userId, streams]) =>
        this.#redis.commands
          .zRem(
            presenceKey(userId),
            [...streams].map((s) => this.#member(s)),
          )
          .catch(() => 0),
      ),
    );
  }

  #member(streamId: string): string {
    return `${this.#instanceId}:${streamId}`;
  }

  async #write(userId: string, streamIds: string[]): Promise<void> {
    const key = presenceKey(userId);
    const expiresAt = this.#clock.now() + this.#ttlMs;
    await this.#run(async () => {
      await this.#redis.commands.zAdd(
        key,
        streamIds.map((id) => ({ score: expiresAt, value: this.#member(id) })),
      );
      // The key itself goes once nobody refreshes it; twice the TTL leaves room for clock skew between instances.
      await this.#redis.commands.pExpire(key, this.#ttlMs * 2);
    });
  }

  async #refresh(): Promise<void> {
    await Promise.all([...this.#mine].map(([userId, streams]) => this.#write(userId, [...streams])));
  }

  async #run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toUnavailable(error);
    }
  }
}
