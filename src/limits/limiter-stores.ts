import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { HeimdallError } from '../core/errors.js';
import { SharedDeadlines } from '../core/shared-deadlines.js';
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
 * call fails after `timeoutMs` (REDIS_COMMAND_TIMEOUT_MS) when Redis is connected but does not answer: node-redis
 * times a command out only until it is written, never while it waits for its reply.
 */
export function redisLimiters(client: unknown, timeoutMs: number): LimiterFactory {
  const deadlines = new SharedDeadlines(
    timeoutMs,
    (ms) =>
      new HeimdallError('service_unavailable', 'Redis is unreachable; try again shortly.', {
        cause: new Error(`Redis did not answer within ${ms} ms`),
      }),
  );
  return (options) =>
    withDeadlines(
      new RateLimiterRedis({ ...options, storeClient: client, useRedisPackage: true, rejectIfRedisNotReady: true }),
      deadlines,
    );
}

/** The limiter, each of its calls that returns a promise bounded by `deadlines`. */
function withDeadlines<L extends RateLimiterAbstract>(limiter: L, deadlines: SharedDeadlines): L {
  return new Proxy(limiter, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = value.apply(target, args);
        return result instanceof Promise ? deadlines.guard(result) : result;
      };
    },
  });
}
