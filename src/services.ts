import type { Config } from './config.js';
import { AccountService } from './core/account-service.js';
import { AnomalyDetector } from './core/anomaly.js';
import { AuditTrail } from './core/audit.js';
import { type Clock, systemClock } from './core/clock.js';
import { type GeoLookup, noGeoLookup } from './core/device.js';
import type { EventBus, StreamPresence } from './core/events.js';
import { FamilyRevokingSessionStore } from './core/family-revoking-session-store.js';
import type { ActionLimiter, LoginThrottle } from './core/login-throttle.js';
import { Argon2Hasher, type PasswordHasher } from './core/passwords.js';
import { SessionService } from './core/session-service.js';
import { SignOnService } from './core/sign-on-service.js';
import { cryptoRandom, type RandomSource } from './core/tokens.js';
import { UserService } from './core/user-service.js';
import { GeoipCountryLookup } from './geo/geoip-country-lookup.js';
import { DEFAULT_LOGIN_LIMITS, FlexibleLoginThrottle } from './limits/flexible-login-throttle.js';
import { memoryLimiters, redisLimiters } from './limits/limiter-stores.js';
import { type OpenIdClientOptions, OpenIdClientProviders } from './oidc/openid-client-provider.js';
import type { CacheStats } from './stores/cache/tracked-cache.js';
import { openDatabase, type SqlDatabase } from './stores/db/database.js';
import { migrateToLatest } from './stores/db/migrator.js';
import { SqlAuditLog } from './stores/db/sql-audit-log.js';
import { SqlDeviceHistory } from './stores/db/sql-device-history.js';
import { SqlIdentityRepository } from './stores/db/sql-identity-repository.js';
import { SqlPendingSignOnStore } from './stores/db/sql-pending-sign-on-store.js';
import { openStores } from './stores/open-stores.js';
import type { RedisLogger } from './stores/redis/redis-connection.js';
import { buildTokenServices, createDenyList, type TokenServices } from './token-services.js';

export interface HealthReport {
  ok: boolean;
  checks: Record<string, 'ok' | 'unavailable'>;
}

/** Everything the HTTP layer and the CLI use, wired once. */
export interface Services extends TokenServices {
  clock: Clock;
  users: UserService;
  sessions: SessionService;
  accounts: AccountService;
  /** Third-party sign-on (OIDC) and linked identities. */
  signOn: SignOnService;
  /** Security events (GET /api/audit, /api/admin/audit); other services record through it. */
  audit: AuditTrail;
  anomalies: AnomalyDetector;
  /** Password-guess limits, for any route that checks a password (sign-in, token grant). */
  throttle: LoginThrottle;
  /** Per-IP budgets (registration, token endpoints). */
  limits: ActionLimiter;
  /**
   * Cross-instance push (Redis pub/sub) and open-stream registry, set when Redis is configured. Without Redis they
   * are absent here and the in-process implementations apply.
   */
  eventBus?: EventBus;
  streamPresence?: StreamPresence;
  /** Hits, misses, invalidations and flushes of the in-process caches (`sessions`, `users`), for benchmarks. */
  cacheStats(): Record<string, CacheStats>;
  /** Human-readable description of the stores in use, for the start-up line. */
  storesDescription: string;
  checkHealth(): Promise<HealthReport>;
  close(): Promise<void>;
}

export interface BuildServicesOptions {
  clock?: Clock;
  random?: RandomSource;
  /** Password hashing (default: argon2id with config.argon2); tests pass one that counts its work. */
  hasher?: PasswordHasher;
  /** Run migrations on open (default true; `heimdall migrate` exists for those who migrate separately). */
  migrate?: boolean;
  /** Outbound HTTP of the OIDC client (tests inject one that tampers with the provider's answers). */
  oidc?: OpenIdClientOptions;
  /** Push fan-out, when wired: security warnings are published on it (default: the Redis bus when configured). */
  events?: EventBus;
  /** Where store warnings go (Redis link lost/restored); silent when absent. */
  logger?: RedisLogger;
}

/** The composition root: opens stores, migrates, and builds the services over them. */
export async function buildServices(config: Config, options: BuildServicesOptions = {}): Promise<Services> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const database: SqlDatabase = await openDatabase(config.databaseUrl);
  try {
    if (options.migrate !== false) await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  let stores: Awaited<ReturnType<typeof openStores>>;
  try {
    stores = await openStores(config, database, clock, options.logger);
  } catch (error) {
    await database.close();
    throw error;
  }
  const { sessionStore, userRepository } = stores;
  const events = options.events ?? stores.eventBus ?? undefined;
  // Every deletion of an API token family, whoever makes it, also denies its access tokens (issue 7).
  const denyList = createDenyList(database, clock);
  const revocableStore = new FamilyRevokingSessionStore(sessionStore, denyList);
  const geo: GeoLookup = config.geoip ? new GeoipCountryLookup() : noGeoLookup;
  const audit = new AuditTrail({ log: new SqlAuditLog(database.db), clock, geo, retentionMs: config.auditRetentionMs });
  const anomalies = new AnomalyDetector({
    store: revocableStore,
    audit,
    clock,
    policy: config.anomaly,
    devices: new SqlDeviceHistory(database.db),
    events,
  });
  // Limits follow the session store: in-process beside SQL sessions, in Redis (shared by every instance) beside Redis.
  const limiters = stores.redis ? redisLimiters(stores.redis.client) : memoryLimiters;
  const throttle = new FlexibleLoginThrottle(limiters, {
    ...DEFAULT_LOGIN_LIMITS,
    accountIp: { ...DEFAULT_LOGIN_LIMITS.accountIp, free: config.limits.loginAccountIp },
    account: { ...DEFAULT_LOGIN_LIMITS.account, free: config.limits.loginAccount },
    ip: { ...DEFAULT_LOGIN_LIMITS.ip, free: config.limits.loginIp },
    actions: {
      register: { ...DEFAULT_LOGIN_LIMITS.actions.register, points: config.limits.registerIp },
      tokens: { ...DEFAULT_LOGIN_LIMITS.actions.tokens, points: config.limits.tokensIp },
    },
  });
  const users = new UserService({
    users: userRepository,
    hasher: options.hasher ?? new Argon2Hasher(config.argon2),
    clock,
    passwordPolicy: { minLength: config.passwordMinLength, maxLength: 128 },
    audit,
  });
  const sessions = new SessionService({
    store: revocableStore,
    users: userRepository,
    clock,
    policy: config.session,
    random,
    geo,
    audit,
    watcher: anomalies,
  });
  const accounts = new AccountService({
    users,
    sessions,
    allowRegistration: config.allowRegistration,
    throttle,
    limits: throttle,
    audit,
    anomalies,
  });
  const signOn = new SignOnService({
    providers: new OpenIdClientProviders(config.oidc.providers, options.oidc),
    identities: new SqlIdentityRepository(database.db),
    pending: new SqlPendingSignOnStore(database.db),
    users: userRepository,
    sessions,
    clock,
    random,
    publicOrigin: config.publicUrl,
    linkVerifiedEmail: config.oidc.linkVerifiedEmail,
    allowRegistration: config.allowRegistration,
  });
  let tokens: TokenServices;
  try {
    tokens = await buildTokenServices({
      config,
      database,
      clock,
      random,
      users: userRepository,
      sessionStore,
      sessions,
      accounts,
      denyList,
      audit,
      limits: throttle,
    });
  } catch (error) {
    await stores.close();
    await database.close();
    throw error;
  }

  return {
    ...tokens,
    clock,
    users,
    sessions,
    accounts,
    signOn,
    audit,
    anomalies,
    throttle,
    limits: throttle,
    ...(stores.eventBus ? { eventBus: stores.eventBus } : {}),
    ...(stores.streamPresence ? { streamPresence: stores.streamPresence } : {}),
    cacheStats: () => stores.cacheStats(),
    storesDescription: stores.description,
    async checkHealth() {
      const names = Object.keys(stores.probes);
      const results = await Promise.all(names.map((name) => probe(stores.probes[name]!)));
      const checks: HealthReport['checks'] = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
      return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
    },
    async close() {
      tokens.stopTokenMaintenance();
      await stores.close();
      await database.close();
    },
  };
}

async function probe(check: () => Promise<void>): Promise<'ok' | 'unavailable'> {
  try {
    await check();
    return 'ok';
  } catch {
    return 'unavailable';
  }
}
