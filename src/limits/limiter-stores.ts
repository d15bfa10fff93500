import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { LimiterFactory } from './flexible-login-throttle.js';

/**
 * In-process counters: the embedded default, where one process serves every request for its SQLite file. Counters
 * start afresh when the process restarts; keys expire by themselves (timers are unref'd).
 */
export const memoryLimiters: LimiterFactory = (options) => new RateLimiterMemory(options);

/**
 * Counters in Redis, so limits hold across instances: wire this when sessions live in Redis, with the same node-redis
 * v5 client (`createClient` or `createCluster`). rate-limiter-flexible runs one Lua script per count (INCRBY with
 * PEXPIRE), and every key of one limiter call is a single key, so Redis Cluster needs no hash tags.
 * `rejectIfRedisNotReady` makes an outage refuse sign-ins (503 from the caller) instead of hanging them, and every
 * call fails through `bounded` (REDIS_COMMAND_TIMEOUT_MS) when Redis is connected but does not answer: node-redis
 * times a command out only until it is written, never while it waits for its reply.
 */
export function redisLimiters(client: unknown, bounded: Bound): LimiterFactory {
  return (options) =>
    withDeadlines(
      new RateLimiterRedis({ ...options, storeClient: client, useRedisPackage: true, rejectIfRedisNotReady: true }),
      bounded,
    );
}

/** Bounds a call to Redis with the connection's command deadline (RedisConnection.bounded). */
export type Bound = <T>(call: Promise<T>) => Promise<T>;

/** The limiter, each of its calls that returns a promise bounded by `bounded`. */
function withDeadlines<L extends RateLimiterAbstract>(limiter: L, bounded: Bound): L {
  return new Proxy(limiter, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = value.apply(target, args);
        return result instanceof Promise ? bounded(result) : result;
      };
    },
  });
}
