import type { Config } from './config.js';
import { AccountService } from './core/account-service.js';
import { AnomalyDetector } from './core/anomaly.js';
import { AuditTrail } from './core/audit.js';
import { type Clock, systemClock } from './core/clock.js';
import { type GeoLookup, noGeoLookup } from './core/device.js';
import type { EventBus } from './core/events.js';
import { FamilyRevokingSessionStore } from './core/family-revoking-session-store.js';
import type { ActionLimiter, LoginThrottle } from './core/login-throttle.js';
import { Argon2Hasher, type PasswordHasher } from './core/passwords.js';
import type { SessionStore } from './core/session.js';
import { SessionService } from './core/session-service.js';
import { SignOnService } from './core/sign-on-service.js';
import { cryptoRandom, type RandomSource } from './core/tokens.js';
import { UserService } from './core/user-service.js';
import { GeoipCountryLookup } from './geo/geoip-country-lookup.js';
import { DEFAULT_LOGIN_LIMITS, FlexibleLoginThrottle } from './limits/flexible-login-throttle.js';
import { memoryLimiters } from './limits/limiter-stores.js';
import { HeimdallMetrics } from './metrics/heimdall-metrics.js';
import { MeteredAuditLog } from './metrics/metered-audit-log.js';
import { type OpenIdClientOptions, OpenIdClientProviders } from './oidc/openid-client-provider.js';
import { openDatabase, type SqlDatabase } from './stores/db/database.js';
import { migrateToLatest, pendingMigrations } from './stores/db/migrator.js';
import { SqlAuditLog } from './stores/db/sql-audit-log.js';
import { SqlDeviceHistory } from './stores/db/sql-device-history.js';
import { SqlIdentityRepository } from './stores/db/sql-identity-repository.js';
import { SqlPendingSignOnStore } from './stores/db/sql-pending-sign-on-store.js';
import { SqlUserRepository } from './stores/db/sql-user-repository.js';
import { countLiveSqlSessions } from './stores/session/sql-session-counter.js';
import { SqlSessionStore } from './stores/session/sql-session-store.js';
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
  /** Prometheus metrics: counters fed by the audit trail and the HTTP layer, and scrape-time sources (hooks). */
  metrics: HeimdallMetrics;
  /** Human-readable description of the stores in use, for the start-up line. */
  storesDescription: string;
  checkHealth(): Promise<HealthReport>;
  /** Names of schema migrations not yet applied (readiness; embedding hosts refuse to start on an old schema). */
  pendingMigrations(): Promise<string[]>;
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
  /** Push fan-out, when wired: security warnings are published on it. */
  events?: EventBus;
  /** Metrics registry to count into (default: a new one). */
  metrics?: HeimdallMetrics;
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
  const userRepository = new SqlUserRepository(database.db);
  const sessionStore: SessionStore = new SqlSessionStore(database.db);
  // Every deletion of an API token family, whoever makes it, also denies its access tokens (issue 7).
  const denyList = createDenyList(database, clock);
  const revocableStore = new FamilyRevokingSessionStore(sessionStore, denyList);
  const geo: GeoLookup = config.geoip ? new GeoipCountryLookup() : noGeoLookup;
  const metrics = options.metrics ?? new HeimdallMetrics();
  metrics.observeLiveSessions(() => countLiveSqlSessions(database.db, clock.now()));
  const auditLog = new MeteredAuditLog(new SqlAuditLog(database.db), metrics);
  const audit = new AuditTrail({ log: auditLog, clock, geo, retentionMs: config.auditRetentionMs });
  const anomalies = new AnomalyDetector({
    store: revocableStore,
    audit,
    clock,
    policy: config.anomaly,
    devices: new SqlDeviceHistory(database.db),
    events: options.events,
  });
  // Limits follow the session store: in-process beside SQL sessions (see limits/limiter-stores.ts for Redis).
  const throttle = new FlexibleLoginThrottle(memoryLimiters, {
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
    metrics,
    storesDescription: `users in ${database.description}, sessions in ${database.dialect}`,
    async checkHealth() {
      const checks: HealthReport['checks'] = {};
      checks.database = await probe(() => sessionStore.ping());
      return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
    },
    pendingMigrations: () => pendingMigrations(database.db),
    async close() {
      tokens.stopTokenMaintenance();
      await sessionStore.close();
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
