import type { Config } from '../config/config.js';
import { BoundedHasher } from '../core/bounded-hasher.js';
import type { PasswordHasher } from '../core/passwords.js';
import { Argon2WorkerHasher } from '../hashing/argon2-workers.js';
import { DEFAULT_LOGIN_LIMITS, FlexibleLoginThrottle } from '../limits/flexible-login-throttle.js';
import { memoryLimiters, redisLimiters } from '../limits/limiter-stores.js';
import type { RedisConnection } from '../stores/redis/redis-connection.js';

/**
 * The login and action limits from their settings. They follow the session store: in-process beside SQL sessions,
 * in Redis (shared by every instance) beside Redis.
 */
export function buildLoginThrottle(config: Config, redis: RedisConnection | null): FlexibleLoginThrottle {
  const limiters = redis ? redisLimiters(redis.client, (call) => redis.bounded(call)) : memoryLimiters;
  const { actions } = DEFAULT_LOGIN_LIMITS;
  return new FlexibleLoginThrottle(limiters, {
    ...DEFAULT_LOGIN_LIMITS,
    accountIp: { ...DEFAULT_LOGIN_LIMITS.accountIp, free: config.limits.loginAccountIp },
    account: { ...DEFAULT_LOGIN_LIMITS.account, free: config.limits.loginAccount },
    ip: { ...DEFAULT_LOGIN_LIMITS.ip, free: config.limits.loginIp },
    actions: {
      register: { ...actions.register, points: config.limits.registerIp },
      tokens: { ...actions.tokens, points: config.limits.tokensIp },
      sign_on: { ...actions.sign_on, points: config.limits.signOnIp },
      password_reset: { ...actions.password_reset, points: config.limits.passwordResetIp },
      password_reset_email: { ...actions.password_reset_email, points: config.limits.passwordResetEmail },
      account_mail: actions.account_mail,
    },
  });
}

/**
 * Every hash goes through one bounded queue (503 beyond it, issue 18). The default runs argon2 in worker threads
 * that nice themselves below the event loop; a caller's hasher (tests) is queued the same way. `close` ends the
 * workers.
 */
export function buildHasher(
  config: Config,
  given?: PasswordHasher,
): { hasher: BoundedHasher; close: () => Promise<void> } {
  if (given) return { hasher: new BoundedHasher(given, config.passwordHashing), close: async () => {} };
  const workers = new Argon2WorkerHasher(config.argon2, { threads: config.passwordHashing.concurrency });
  return { hasher: new BoundedHasher(workers, config.passwordHashing), close: () => workers.close() };
}
