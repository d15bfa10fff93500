import { availableParallelism } from 'node:os';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../core/signing-key.js';
import { bool, DURATION, duration, durationOrZero, type EnvReader, int, parseDuration, upTo } from './env-reader.js';

export interface RedisTuning {
  /** REDIS_CLIENT_CACHE: in-process cache kept coherent by RESP3 client tracking (false: one round trip a read). */
  clientCache: boolean;
  /** CACHE_MAX_ENTRIES: bound on each in-process cache (sessions, users). */
  cacheMaxEntries: number;
  /** CACHE_MAX_AGE: safety bound on the age of an in-process entry (coherence normally drops it much sooner). */
  cacheMaxAgeMs: number;
  commandTimeoutMs: number;
  heartbeatMs: number;
  /** REDIS_WAIT_REPLICAS: replicas that must acknowledge a revocation (Redis WAIT) before it is confirmed. */
  waitReplicas: number;
  waitTimeoutMs: number;
  /**
   * REDIS_USER_CACHE_TTL: lifetime of the shared user copies `hd:u:{id}` and, at most, of the in-process copies read
   * from them. Bounds how long a change made outside Heimdall (directly in SQL) takes to reach every instance.
   */
  userCacheTtlMs: number;
}

/** Hybrid API tokens and the keys that sign every JWT (issue 7). Durations in milliseconds. */
export interface TokenConfig {
  /** `iss` of every JWT (TOKEN_ISSUER); null means HEIMDALL_PUBLIC_URL. */
  issuer: string | null;
  accessTtlMs: number;
  refreshIdleMs: number;
  familyLifetimeMs: number;
  signingAlgorithm: SigningAlgorithm;
  keyRotationIntervalMs: number | null;
  /** How often each instance merges the other instances' family revocations. */
  revocationSyncIntervalMs: number;
}

export interface DownloadsConfig {
  /** PRODUCTS: the demo shop (products, purchases, download links) is served; off registers none of its routes. */
  enabled: boolean;
  directory: string;
  linkTtlSeconds: number;
}

/** `on`/`off` (and the usual true/false spellings). */
const onOff = (raw: string): boolean | null =>
  /^(on|true|1|yes)$/i.test(raw) ? true : /^(off|false|0|no)$/i.test(raw) ? false : null;

export interface AbuseLimitsConfig {
  /** Consecutive failed sign-ins per account and client address before delays begin. */
  loginAccountIp: number;
  /** Failed sign-ins per account per day, from addresses that never signed in to it, before delays begin. */
  loginAccount: number;
  /** Failed sign-ins per client address per hour before delays begin. */
  loginIp: number;
  /** Registrations per client address per hour. */
  registerIp: number;
  /** Token requests per client address per minute. */
  tokensIp: number;
  /** Third-party sign-on starts (each writes a pending attempt) per client address per minute. */
  signOnIp: number;
  /** Password reset requests per client address per hour (beyond: 429). */
  passwordResetIp: number;
  /** Reset links sent per email address per hour (beyond: the same 202, and no message). */
  passwordResetEmail: number;
}

export interface ShutdownConfig {
  /** How long /api/ready says 503 and answers carry `Connection: close` before the listener closes. */
  drainDelayMs: number;
  /** Longest wait for in-flight requests and stores to finish before the process exits anyway. */
  timeoutMs: number;
}

/** Device Bound Session Credentials (issue 21). */
export interface DbscConfig {
  /** DBSC: offer registration at sign-in and require bound sessions' short-lived cookie. */
  enabled: boolean;
  /** DBSC_COOKIE_TTL: life of the bound cookie, i.e. how often a bound browser proves it still holds its key. */
  cookieTtlMs: number;
}

const MAX_ACCESS_TTL_MS = 15 * 60_000;
const MAX_DOWNLOAD_TTL_MS = 2 * 3_600_000;

export function readRedisTuning(r: EnvReader): RedisTuning {
  return {
    clientCache: r.read('REDIS_CLIENT_CACHE', true, bool, 'true or false'),
    cacheMaxEntries: r.read('CACHE_MAX_ENTRIES', 100_000, int(1, 10_000_000), 'a whole number from 1 to 10000000'),
    cacheMaxAgeMs: r.read('CACHE_MAX_AGE', 5 * 60_000, duration, DURATION),
    commandTimeoutMs: r.read('REDIS_COMMAND_TIMEOUT_MS', 2_000, int(50, 60_000), 'milliseconds from 50 to 60000'),
    heartbeatMs: r.read('REDIS_HEARTBEAT_MS', 500, int(20, 10_000), 'milliseconds from 20 to 10000'),
    waitReplicas: r.read('REDIS_WAIT_REPLICAS', 0, int(0, 16), 'a whole number from 0 to 16'),
    waitTimeoutMs: r.read('REDIS_WAIT_TIMEOUT_MS', 500, int(1, 60_000), 'milliseconds from 1 to 60000'),
    // 60 s: a demotion or disable made directly in SQL reaches every instance within two minutes at worst, for one
    // SQL read per active user a minute (changes made through Heimdall reach them at once).
    userCacheTtlMs: r.read('REDIS_USER_CACHE_TTL', 60_000, duration, DURATION),
  };
}

export function readTokenConfig(r: EnvReader): TokenConfig {
  const tokens: TokenConfig = {
    issuer: r.read(
      'TOKEN_ISSUER',
      null as string | null,
      (raw) => raw.trim() || null,
      'a URL or name for the iss claim',
    ),
    accessTtlMs: r.read('ACCESS_TOKEN_TTL', 5 * 60_000, upTo(MAX_ACCESS_TTL_MS), 'a duration up to 15m'),
    refreshIdleMs: r.read('REFRESH_TOKEN_TTL', 7 * 86_400_000, duration, DURATION),
    familyLifetimeMs: r.read('TOKEN_FAMILY_LIFETIME', 30 * 86_400_000, duration, DURATION),
    signingAlgorithm: r.read(
      'SIGNING_KEY_ALGORITHM',
      'EdDSA' as SigningAlgorithm,
      (raw) => (SIGNING_ALGORITHMS.includes(raw as SigningAlgorithm) ? (raw as SigningAlgorithm) : null),
      SIGNING_ALGORITHMS.join(' or '),
    ),
    keyRotationIntervalMs: r.read(
      'SIGNING_KEY_ROTATION_INTERVAL',
      null as number | null,
      (raw) => {
        const ms = parseDuration(raw);
        return ms !== null && ms >= 3_600_000 ? ms : null;
      },
      'a duration of at least 1h (e.g. 30d)',
    ),
    revocationSyncIntervalMs: r.read('TOKEN_REVOCATION_SYNC_INTERVAL', 1_000, upTo(60_000), 'a duration up to 60s'),
  };
  if (tokens.refreshIdleMs < tokens.accessTtlMs)
    r.refuse('REFRESH_TOKEN_TTL must not be shorter than ACCESS_TOKEN_TTL.');
  return tokens;
}

export function readDownloadsConfig(r: EnvReader, bundledDirectory: string): DownloadsConfig {
  return {
    enabled: r.read('PRODUCTS', true, onOff, 'on or off'),
    directory: r.read('HEIMDALL_DOWNLOADS_DIR', bundledDirectory, (raw) => raw, 'a directory path'),
    linkTtlSeconds: r.read('DOWNLOAD_LINK_TTL', 15 * 60_000, upTo(MAX_DOWNLOAD_TTL_MS), 'a duration up to 2h') / 1000,
  };
}

export function readAbuseLimits(r: EnvReader): AbuseLimitsConfig {
  return {
    loginAccountIp: r.read('LOGIN_LIMIT_ACCOUNT_IP', 5, int(1, 1_000), 'a whole number from 1 to 1000'),
    loginAccount: r.read('LOGIN_LIMIT_ACCOUNT', 10, int(1, 99), 'a whole number from 1 to 99 (NIST: under 100)'),
    loginIp: r.read('LOGIN_LIMIT_IP', 100, int(1, 100_000), 'a whole number from 1 to 100000'),
    registerIp: r.read('REGISTER_LIMIT_IP', 20, int(1, 100_000), 'a whole number from 1 to 100000'),
    tokensIp: r.read('TOKENS_LIMIT_IP', 60, int(1, 100_000), 'a whole number from 1 to 100000'),
    signOnIp: r.read('SIGN_ON_LIMIT_IP', 30, int(1, 100_000), 'a whole number from 1 to 100000'),
    passwordResetIp: r.read('PASSWORD_RESET_LIMIT_IP', 20, int(1, 100_000), 'a whole number from 1 to 100000'),
    passwordResetEmail: r.read('PASSWORD_RESET_LIMIT_EMAIL', 3, int(1, 100), 'a whole number from 1 to 100'),
  };
}

export function readDbscConfig(r: EnvReader): DbscConfig {
  return {
    enabled: r.read('DBSC', true, (raw) => (raw === 'on' ? true : raw === 'off' ? false : null), 'on or off'),
    cookieTtlMs: r.read(
      'DBSC_COOKIE_TTL',
      10 * 60_000,
      (raw) => {
        const ms = parseDuration(raw);
        return ms !== null && ms >= 5_000 ? ms : null;
      },
      'a duration of at least 5s (e.g. 10m)',
    ),
  };
}

export function readShutdownConfig(r: EnvReader): ShutdownConfig {
  return {
    drainDelayMs: r.read('SHUTDOWN_DRAIN_DELAY', 1_000, durationOrZero(60_000), 'a duration from 0s to 60s'),
    timeoutMs: r.read('SHUTDOWN_TIMEOUT', 30_000, upTo(600_000), 'a duration up to 10m'),
  };
}

/** Password hashing's share of the machine (issue 18): threads at once and the queue before 503. */
export interface PasswordHashingConfig {
  /** PASSWORD_HASH_CONCURRENCY: hashes at once (default: the cores, os.availableParallelism()). */
  concurrency: number;
  /** PASSWORD_HASH_QUEUE: hashes waiting beyond those (default: 32 per running hash); more are shed with 503. */
  queue: number;
}

export function readPasswordHashing(r: EnvReader): PasswordHashingConfig {
  const concurrency = r.read(
    'PASSWORD_HASH_CONCURRENCY',
    availableParallelism(),
    int(1, 256),
    'a whole number from 1 to 256',
  );
  const queue = r.read('PASSWORD_HASH_QUEUE', 32 * concurrency, int(0, 100_000), 'a whole number from 0 to 100000');
  return { concurrency, queue };
}
