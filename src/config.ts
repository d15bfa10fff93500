import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AnomalyPolicy } from './core/anomaly.js';
import { type Argon2Params, DEFAULT_ARGON2_PARAMS, MAX_PASSWORD_LENGTH } from './core/passwords.js';
import type { SessionPolicy } from './core/session-service.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './core/signing-key.js';
import { type OidcConfig, readOidcConfig } from './oidc/oidc-config.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type TrustProxy = boolean | number | string[];

/** Everything Heimdall reads from its environment, parsed and checked once at start. */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string | null;
  redisClusterNodes: string[] | null;
  /** Redis client behaviour and the in-process caches (docs/deploy/redis.md). */
  redis: RedisTuning;
  /** SQLITE_CACHE: serve sessions and users from memory, kept coherent by PRAGMA data_version (SQLite only). */
  sqliteCache: boolean;
  dataDir: string;
  /** HEIMDALL_SECRET; null means "use or create the one kept in the data directory". */
  secret: string | null;
  /** Other origins (the SPA's) allowed for CORS with credentials and CSRF Origin checks. */
  origins: string[];
  publicUrl: string;
  cookieName: string;
  cookieSecure: boolean;
  session: SessionPolicy;
  trustProxy: TrustProxy;
  logLevel: LogLevel;
  allowRegistration: boolean;
  passwordMinLength: number;
  argon2: Argon2Params;
  /** Third-party sign-on (OIDC_PROVIDERS, OIDC_<NAME>_*, OIDC_LINK_VERIFIED_EMAIL). */
  oidc: OidcConfig;
  /** Multiple-countries warning (ANOMALY_COUNTRIES, ANOMALY_ACTION). */
  anomaly: AnomalyPolicy;
  /** Country lookup of client addresses (offline, geoip-country); off records no country. */
  geoip: boolean;
  auditRetentionMs: number;
  /** Abuse limits (docs/security.md): free failures and per-IP budgets. */
  limits: AbuseLimitsConfig;
  tokens: TokenConfig;
  downloads: DownloadsConfig;
}

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
}

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
  /** REDIS_USER_CACHE_TTL: lifetime of the shared user copies `hd:u:{id}`. */
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
  directory: string;
  linkTtlSeconds: number;
}

/** The sample files that ship with Heimdall (assets/downloads, beside src/ and dist/). */
export const BUNDLED_DOWNLOADS_DIR = fileURLToPath(new URL('../assets/downloads/', import.meta.url));
const MAX_ACCESS_TTL_MS = 15 * 60_000;
const MAX_DOWNLOAD_TTL_MS = 2 * 3_600_000;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;
const DURATION_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Seconds (`900`) or a number with a unit (`30m`, `12h`, `7d`), as milliseconds. */
export function parseDuration(value: string): number | null {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) return null;
  const ms = Number(match[1]) * DURATION_UNITS[match[2] || 's']!;
  return ms > 0 ? ms : null;
}

/** Reads and validates the environment; throws one ConfigError listing every problem, one line each. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = <T>(name: string, fallback: T, parse: (raw: string) => T | null, accepts: string): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = parse(raw);
    if (value === null) {
      problems.push(`${name}=${JSON.stringify(raw)} is not valid: expected ${accepts}.`);
      return fallback;
    }
    return value;
  };
  const int = (min: number, max: number) => (raw: string) => {
    const n = Number(raw);
    return Number.isInteger(n) && n >= min && n <= max ? n : null;
  };
  const bool = (raw: string) => (/^(true|1|yes)$/i.test(raw) ? true : /^(false|0|no)$/i.test(raw) ? false : null);
  const duration = (raw: string) => parseDuration(raw);
  const DURATION = 'seconds or a number with s, m, h or d (e.g. 30m)';

  const port = read('PORT', 3000, int(0, 65_535), 'a port number 0-65535');
  const cookieName = read(
    'HEIMDALL_COOKIE_NAME',
    '__Host-heimdall',
    (r) => (/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(r) ? r : null),
    'a cookie name (RFC 6265 token)',
  );
  const cookieSecure = read('HEIMDALL_COOKIE_SECURE', true, bool, 'true or false');
  if (!cookieSecure && /^__(Host|Secure)-/.test(cookieName)) {
    problems.push(
      `HEIMDALL_COOKIE_SECURE=false needs a cookie name without the __Host-/__Secure- prefix (HEIMDALL_COOKIE_NAME is ${cookieName}).`,
    );
  }
  const session: SessionPolicy = {
    idleTimeoutMs: read('SESSION_IDLE_TIMEOUT', 30 * 60_000, duration, DURATION),
    absoluteTimeoutMs: read('SESSION_ABSOLUTE_TIMEOUT', 12 * 3_600_000, duration, DURATION),
    rememberIdleTimeoutMs: read('SESSION_REMEMBER_IDLE_TIMEOUT', 7 * 86_400_000, duration, DURATION),
    rememberAbsoluteTimeoutMs: read('SESSION_REMEMBER_ABSOLUTE_TIMEOUT', 30 * 86_400_000, duration, DURATION),
  };
  const passwordMinLength = read('PASSWORD_MIN_LENGTH', 8, int(8, 64), 'a whole number from 8 to 64');
  const secret = read(
    'HEIMDALL_SECRET',
    null as string | null,
    (r) => (r.length >= 32 ? r : null),
    'at least 32 characters (e.g. `openssl rand -base64 32`)',
  );
  const redisClusterNodes = read(
    'REDIS_CLUSTER_NODES',
    null as string[] | null,
    parseHostPorts,
    'host:port[,host:port…]',
  );
  const redisUrl = read(
    'REDIS_URL',
    null as string | null,
    (r) => (/^rediss?:\/\//.test(r) ? r : null),
    'a redis:// or rediss:// URL',
  );
  if (redisUrl && redisClusterNodes) problems.push('Set REDIS_URL or REDIS_CLUSTER_NODES, not both.');
  const redis: RedisTuning = {
    clientCache: read('REDIS_CLIENT_CACHE', true, bool, 'true or false'),
    cacheMaxEntries: read('CACHE_MAX_ENTRIES', 100_000, int(1, 10_000_000), 'a whole number from 1 to 10000000'),
    cacheMaxAgeMs: read('CACHE_MAX_AGE', 5 * 60_000, duration, DURATION),
    commandTimeoutMs: read('REDIS_COMMAND_TIMEOUT_MS', 2_000, int(50, 60_000), 'milliseconds from 50 to 60000'),
    heartbeatMs: read('REDIS_HEARTBEAT_MS', 500, int(20, 10_000), 'milliseconds from 20 to 10000'),
    waitReplicas: read('REDIS_WAIT_REPLICAS', 0, int(0, 16), 'a whole number from 0 to 16'),
    waitTimeoutMs: read('REDIS_WAIT_TIMEOUT_MS', 500, int(1, 60_000), 'milliseconds from 1 to 60000'),
    userCacheTtlMs: read('REDIS_USER_CACHE_TTL', 15 * 60_000, duration, DURATION),
  };

  const upTo = (maxMs: number) => (raw: string) => {
    const ms = parseDuration(raw);
    return ms !== null && ms <= maxMs ? ms : null;
  };
  const tokens: TokenConfig = {
    issuer: read('TOKEN_ISSUER', null as string | null, (r) => r.trim() || null, 'a URL or name for the iss claim'),
    accessTtlMs: read('ACCESS_TOKEN_TTL', 5 * 60_000, upTo(MAX_ACCESS_TTL_MS), 'a duration up to 15m'),
    refreshIdleMs: read('REFRESH_TOKEN_TTL', 7 * 86_400_000, duration, DURATION),
    familyLifetimeMs: read('TOKEN_FAMILY_LIFETIME', 30 * 86_400_000, duration, DURATION),
    signingAlgorithm: read(
      'SIGNING_KEY_ALGORITHM',
      'EdDSA' as SigningAlgorithm,
      (r) => (SIGNING_ALGORITHMS.includes(r as SigningAlgorithm) ? (r as SigningAlgorithm) : null),
      SIGNING_ALGORITHMS.join(' or '),
    ),
    keyRotationIntervalMs: read(
      'SIGNING_KEY_ROTATION_INTERVAL',
      null as number | null,
      (r) => {
        const ms = parseDuration(r);
        return ms !== null && ms >= 3_600_000 ? ms : null;
      },
      'a duration of at least 1h (e.g. 30d)',
    ),
    revocationSyncIntervalMs: read('TOKEN_REVOCATION_SYNC_INTERVAL', 1_000, upTo(60_000), 'a duration up to 60s'),
  };
  if (tokens.refreshIdleMs < tokens.accessTtlMs) {
    problems.push('REFRESH_TOKEN_TTL must not be shorter than ACCESS_TOKEN_TTL.');
  }
  const downloads: DownloadsConfig = {
    directory: read('HEIMDALL_DOWNLOADS_DIR', BUNDLED_DOWNLOADS_DIR, (r) => r, 'a directory path'),
    linkTtlSeconds: read('DOWNLOAD_LINK_TTL', 15 * 60_000, upTo(MAX_DOWNLOAD_TTL_MS), 'a duration up to 2h') / 1000,
  };
  const config: Config = {
    port,
    host: read('HOST', '127.0.0.1', (r) => r, 'a host name or address'),
    databaseUrl: read(
      'DATABASE_URL',
      'sqlite:./data/heimdall.db',
      (r) => (/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(r) ? r : null),
      'sqlite:<path> or postgres://user:pass@host:port/db',
    ),
    redisUrl,
    redisClusterNodes,
    redis,
    sqliteCache: read('SQLITE_CACHE', true, bool, 'true or false'),
    dataDir: read('HEIMDALL_DATA_DIR', './data', (r) => r, 'a directory path'),
    secret,
    origins: read(
      'HEIMDALL_ORIGINS',
      [] as string[],
      parseOrigins,
      'comma-separated origins such as https://app.example.com',
    ),
    publicUrl: read(
      'HEIMDALL_PUBLIC_URL',
      `http://localhost:${port}`,
      (r) => parseOrigins(r)?.[0] ?? null,
      'an origin such as https://auth.example.com',
    ),
    cookieName,
    cookieSecure,
    session,
    trustProxy: read(
      'TRUST_PROXY',
      false as TrustProxy,
      parseTrustProxy,
      'true, false, a hop count, or comma-separated proxy addresses/CIDRs',
    ),
    logLevel: read(
      'LOG_LEVEL',
      'info' as LogLevel,
      (r) => (LOG_LEVELS.includes(r as LogLevel) ? (r as LogLevel) : null),
      LOG_LEVELS.join(', '),
    ),
    allowRegistration: read('HEIMDALL_ALLOW_REGISTRATION', true, bool, 'true or false'),
    passwordMinLength: Math.min(passwordMinLength, MAX_PASSWORD_LENGTH),
    argon2: {
      memoryCost: read(
        'ARGON2_MEMORY_KIB',
        DEFAULT_ARGON2_PARAMS.memoryCost,
        int(1_024, 4_194_304),
        'KiB from 1024 to 4194304',
      ),
      timeCost: read('ARGON2_ITERATIONS', DEFAULT_ARGON2_PARAMS.timeCost, int(1, 100), 'a whole number from 1 to 100'),
      parallelism: read(
        'ARGON2_PARALLELISM',
        DEFAULT_ARGON2_PARAMS.parallelism,
        int(1, 16),
        'a whole number from 1 to 16',
      ),
    },
    oidc: readOidcConfig(env, problems),
    anomaly: {
      countries: read('ANOMALY_COUNTRIES', 3, int(2, 50), 'a whole number from 2 to 50'),
      action: read(
        'ANOMALY_ACTION',
        'warn' as AnomalyPolicy['action'],
        (r) => (r === 'warn' || r === 'revoke' ? r : null),
        'warn or revoke',
      ),
    },
    geoip: read('HEIMDALL_GEOIP', true, bool, 'true or false'),
    auditRetentionMs: read('AUDIT_RETENTION', 90 * 86_400_000, duration, DURATION),
    limits: {
      loginAccountIp: read('LOGIN_LIMIT_ACCOUNT_IP', 5, int(1, 1_000), 'a whole number from 1 to 1000'),
      loginAccount: read('LOGIN_LIMIT_ACCOUNT', 10, int(1, 99), 'a whole number from 1 to 99 (NIST: under 100)'),
      loginIp: read('LOGIN_LIMIT_IP', 100, int(1, 100_000), 'a whole number from 1 to 100000'),
      registerIp: read('REGISTER_LIMIT_IP', 20, int(1, 100_000), 'a whole number from 1 to 100000'),
      tokensIp: read('TOKENS_LIMIT_IP', 60, int(1, 100_000), 'a whole number from 1 to 100000'),
    },
    tokens,
    downloads,
  };
  if (session.idleTimeoutMs > session.absoluteTimeoutMs)
    problems.push('SESSION_IDLE_TIMEOUT must not exceed SESSION_ABSOLUTE_TIMEOUT.');
  if (session.rememberIdleTimeoutMs > session.rememberAbsoluteTimeoutMs) {
    problems.push('SESSION_REMEMBER_IDLE_TIMEOUT must not exceed SESSION_REMEMBER_ABSOLUTE_TIMEOUT.');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function parseOrigins(raw: string): string[] | null {
  const origins: string[] = [];
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      return null;
    }
    if (!/^https?:$/.test(url.protocol) || url.pathname.length > 1 || url.search || url.username) return null;
    origins.push(url.origin);
  }
  return origins.length > 0 ? origins : null;
}

function parseHostPorts(raw: string): string[] | null {
  const nodes = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return nodes.length > 0 && nodes.every((n) => /^[^\s:]+:\d{1,5}$/.test(n)) ? nodes : null;
}

function parseTrustProxy(raw: string): TrustProxy | null {
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const valid = entries.every(
    (e) => isIP(e.split('/')[0] ?? '') !== 0 || ['loopback', 'linklocal', 'uniquelocal'].includes(e),
  );
  return entries.length > 0 && valid ? entries : null;
}
