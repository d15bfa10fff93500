import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
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
 * `rejectIfRedisNotReady` makes an outage refuse sign-ins (503 from the caller) instead of hanging them.
 */
export function redisLimiters(client: unknown): LimiterFactory {
  return (options) =>
    new RateLimiterRedis({ ...options, storeClient: client, useRedisPackage: true, rejectIfRedisNotReady: true });
}
