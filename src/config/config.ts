import { fileURLToPath } from 'node:url';
import type { AnomalyPolicy } from '../core/anomaly.js';
import { type Argon2Params, DEFAULT_ARGON2_PARAMS, MAX_PASSWORD_LENGTH } from '../core/passwords.js';
import type { SessionPolicy } from '../core/session-service.js';
import {
  bool,
  DURATION,
  duration,
  type Env,
  EnvReader,
  int,
  LONG_SECRET,
  longSecret,
  parseHostNames,
  parseHostPorts,
  parseOrigins,
  parseTrustProxy,
  type TrustProxy,
} from './env-reader.js';
import { type MailConfig, readMailConfig } from './mail-config.js';
import { type OidcConfig, readOidcConfig } from './oidc-config.js';
import {
  type AbuseLimitsConfig,
  type DbscConfig,
  type DownloadsConfig,
  type PasswordHashingConfig,
  type RedisTuning,
  readAbuseLimits,
  readDbscConfig,
  readDownloadsConfig,
  readPasswordHashing,
  readRedisTuning,
  readShutdownConfig,
  readTokenConfig,
  type ShutdownConfig,
  type TokenConfig,
} from './sections.js';

export { ConfigError, parseDuration, type TrustProxy } from './env-reader.js';
export type { MailConfig } from './mail-config.js';
export type {
  AbuseLimitsConfig,
  DbscConfig,
  DownloadsConfig,
  RedisTuning,
  ShutdownConfig,
  TokenConfig,
} from './sections.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

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
  /**
   * HEIMDALL_ALLOWED_HOSTS: host names Heimdall answers for besides those of HEIMDALL_PUBLIC_URL, HEIMDALL_ORIGINS and
   * the loopback literals (any other `Host` gets 421: DNS-rebinding defence).
   */
  allowedHosts: string[];
  cookieName: string;
  cookieSecure: boolean;
  session: SessionPolicy;
  trustProxy: TrustProxy;
  logLevel: LogLevel;
  /** LOG_REQUESTS: a log line as each request comes in and as it is answered (at info). */
  logRequests: boolean;
  allowRegistration: boolean;
  passwordMinLength: number;
  argon2: Argon2Params;
  /** PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE: hashing's threads and queue (503 beyond it). */
  passwordHashing: PasswordHashingConfig;
  /** How often open event streams get a heartbeat and a re-check of their session. */
  eventsHeartbeatMs: number;
  /** Serve the bundled web app at / (off for API-only deployments whose SPA is hosted elsewhere). */
  serveWebApp: boolean;
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
  /** METRICS_TOKEN: serve Prometheus metrics at /metrics to requests bearing it; null (default) serves none. */
  metricsToken: string | null;
  /** REAUTH_MAX_AGE: how recent a proof sensitive actions ask for (step-up), in milliseconds. */
  reauthMaxAgeMs: number;
  /** MFA_REQUIRED_ROLES: roles whose routes refuse holders without a second factor (403 second_factor_required). */
  mfaRequiredRoles: string[];
  /** Device Bound Session Credentials (DBSC, DBSC_COOKIE_TTL). */
  dbsc: DbscConfig;
  /** Graceful shutdown (SHUTDOWN_DRAIN_DELAY, SHUTDOWN_TIMEOUT), in milliseconds. */
  shutdown: ShutdownConfig;
  /** Mail (SMTP_URL, MAIL_FROM) and the life of email links (EMAIL_TOKEN_TTL, PASSWORD_RESET_TTL, INVITATION_TTL). */
  mail: MailConfig;
}

/** The sample files that ship with Heimdall (assets/downloads, beside src/ and dist/). */
export const BUNDLED_DOWNLOADS_DIR = fileURLToPath(new URL('../../assets/downloads/', import.meta.url));
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** Role names as the admin API accepts them. */
const ROLE_NAME = /^[a-z][a-z0-9_.-]{0,31}$/;

function parseRoles(raw: string): string[] | null {
  const roles = raw
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  return roles.length > 0 && roles.every((role) => ROLE_NAME.test(role)) ? [...new Set(roles)] : null;
}

/** Reads and validates the environment; throws one ConfigError listing every problem, one line each. */
export function loadConfig(env: Env = process.env): Config {
  const r = new EnvReader(env);
  const port = r.read('PORT', 3000, int(0, 65_535), 'a port number 0-65535');
  const cookieName = r.read(
    'HEIMDALL_COOKIE_NAME',
    '__Host-heimdall',
    (raw) => (/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(raw) ? raw : null),
    'a cookie name (RFC 6265 token)',
  );
  const cookieSecure = r.read('HEIMDALL_COOKIE_SECURE', true, bool, 'true or false');
  if (!cookieSecure && /^__(Host|Secure)-/.test(cookieName)) {
    r.refuse(
      `HEIMDALL_COOKIE_SECURE=false needs a cookie name without the __Host-/__Secure- prefix (HEIMDALL_COOKIE_NAME is ${cookieName}).`,
    );
  }
  const session: SessionPolicy = {
    idleTimeoutMs: r.read('SESSION_IDLE_TIMEOUT', 30 * 60_000, duration, DURATION),
    absoluteTimeoutMs: r.read('SESSION_ABSOLUTE_TIMEOUT', 12 * 3_600_000, duration, DURATION),
    rememberIdleTimeoutMs: r.read('SESSION_REMEMBER_IDLE_TIMEOUT', 7 * 86_400_000, duration, DURATION),
    rememberAbsoluteTimeoutMs: r.read('SESSION_REMEMBER_ABSOLUTE_TIMEOUT', 30 * 86_400_000, duration, DURATION),
    maxPerUser: r.read('SESSION_MAX_PER_USER', 100, int(1, 10_000), 'a whole number from 1 to 10000'),
  };
  if (session.idleTimeoutMs > session.absoluteTimeoutMs) {
    r.refuse('SESSION_IDLE_TIMEOUT must not exceed SESSION_ABSOLUTE_TIMEOUT.');
  }
  if (session.rememberIdleTimeoutMs > session.rememberAbsoluteTimeoutMs) {
    r.refuse('SESSION_REMEMBER_IDLE_TIMEOUT must not exceed SESSION_REMEMBER_ABSOLUTE_TIMEOUT.');
  }
  const redisClusterNodes = r.read(
    'REDIS_CLUSTER_NODES',
    null as string[] | null,
    parseHostPorts,
    'host:port[,host:port…]',
  );
  const redisUrl = r.read(
    'REDIS_URL',
    null as string | null,
    (raw) => (/^rediss?:\/\//.test(raw) ? raw : null),
    'a redis:// or rediss:// URL',
  );
  if (redisUrl && redisClusterNodes) r.refuse('Set REDIS_URL or REDIS_CLUSTER_NODES, not both.');

  const config: Config = {
    port,
    host: r.read('HOST', '127.0.0.1', (raw) => raw, 'a host name or address'),
    databaseUrl: r.read(
      'DATABASE_URL',
      'sqlite:./data/heimdall.db',
      (raw) => (/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(raw) ? raw : null),
      'sqlite:<path> or postgres://user:pass@host:port/db',
    ),
    redisUrl,
    redisClusterNodes,
    redis: readRedisTuning(r),
    sqliteCache: r.read('SQLITE_CACHE', true, bool, 'true or false'),
    dataDir: r.read('HEIMDALL_DATA_DIR', './data', (raw) => raw, 'a directory path'),
    secret: r.read('HEIMDALL_SECRET', null as string | null, longSecret, LONG_SECRET),
    origins: r.read(
      'HEIMDALL_ORIGINS',
      [] as string[],
      parseOrigins,
      'comma-separated origins such as https://app.example.com',
    ),
    publicUrl: r.read(
      'HEIMDALL_PUBLIC_URL',
      `http://localhost:${port}`,
      (raw) => parseOrigins(raw)?.[0] ?? null,
      'an origin such as https://auth.example.com',
    ),
    allowedHosts: r.read('HEIMDALL_ALLOWED_HOSTS', [] as string[], parseHostNames, 'comma-separated host names'),
    cookieName,
    cookieSecure,
    session,
    trustProxy: r.read(
      'TRUST_PROXY',
      false as TrustProxy,
      parseTrustProxy,
      'true, false, a hop count, or comma-separated proxy addresses/CIDRs',
    ),
    logLevel: r.read(
      'LOG_LEVEL',
      'info' as LogLevel,
      (raw) => (LOG_LEVELS.includes(raw as LogLevel) ? (raw as LogLevel) : null),
      LOG_LEVELS.join(', '),
    ),
    logRequests: r.read('LOG_REQUESTS', false, bool, 'true or false'),
    allowRegistration: r.read('HEIMDALL_ALLOW_REGISTRATION', true, bool, 'true or false'),
    passwordMinLength: Math.min(
      r.read('PASSWORD_MIN_LENGTH', 8, int(8, 64), 'a whole number from 8 to 64'),
      MAX_PASSWORD_LENGTH,
    ),
    argon2: {
      memoryCost: r.read(
        'ARGON2_MEMORY_KIB',
        DEFAULT_ARGON2_PARAMS.memoryCost,
        int(1_024, 4_194_304),
        'KiB from 1024 to 4194304',
      ),
      timeCost: r.read(
        'ARGON2_ITERATIONS',
        DEFAULT_ARGON2_PARAMS.timeCost,
        int(1, 100),
        'a whole number from 1 to 100',
      ),
      parallelism: r.read(
        'ARGON2_PARALLELISM',
        DEFAULT_ARGON2_PARAMS.parallelism,
        int(1, 16),
        'a whole number from 1 to 16',
      ),
    },
    passwordHashing: readPasswordHashing(r),
    eventsHeartbeatMs: r.read('EVENTS_HEARTBEAT_INTERVAL', 25_000, duration, DURATION),
    serveWebApp: r.read('HEIMDALL_SERVE_WEB_APP', true, bool, 'true or false'),
    oidc: readOidcConfig(env, r.problems),
    anomaly: {
      countries: r.read('ANOMALY_COUNTRIES', 3, int(2, 50), 'a whole number from 2 to 50'),
      action: r.read(
        'ANOMALY_ACTION',
        'warn' as AnomalyPolicy['action'],
        (raw) => (raw === 'warn' || raw === 'revoke' ? raw : null),
        'warn or revoke',
      ),
    },
    geoip: r.read('HEIMDALL_GEOIP', true, bool, 'true or false'),
    auditRetentionMs: r.read('AUDIT_RETENTION', 90 * 86_400_000, duration, DURATION),
    limits: readAbuseLimits(r),
    tokens: readTokenConfig(r),
    downloads: readDownloadsConfig(r, BUNDLED_DOWNLOADS_DIR),
    metricsToken: r.read('METRICS_TOKEN', null as string | null, longSecret, LONG_SECRET),
    reauthMaxAgeMs: r.read('REAUTH_MAX_AGE', 10 * 60_000, duration, DURATION),
    mfaRequiredRoles: r.read(
      'MFA_REQUIRED_ROLES',
      [] as string[],
      parseRoles,
      'comma-separated role names (e.g. admin)',
    ),
    dbsc: readDbscConfig(r),
    shutdown: readShutdownConfig(r),
    mail: readMailConfig(r),
  };
  r.done();
  return config;
}
