import type { Config } from '../config/config.js';
import { AccountService } from '../core/account-service.js';
import type { HashLoad } from '../core/bounded-hasher.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { EventBus, StreamPresence } from '../core/events.js';
import type { ActionLimiter, LoginThrottle } from '../core/login-throttle.js';
import type { MailTransport } from '../core/mail.js';
import { memoizeFor } from '../core/memoize-for.js';
import { MessageService } from '../core/message-service.js';
import type { AccountNotifier } from '../core/notices.js';
import type { PasswordHasher } from '../core/passwords.js';
import { SignOnService } from '../core/sign-on-service.js';
import { StepUpService } from '../core/step-up-service.js';
import { StreamHub } from '../core/stream-hub.js';
import { cryptoRandom, type RandomSource } from '../core/tokens.js';
import { UserService } from '../core/user-service.js';
import type { ApiServices, HealthReport } from '../http/api-services.js';
import { HeimdallMetrics } from '../metrics/heimdall-metrics.js';
import { type OpenIdClientOptions, OpenIdClientProviders } from '../oidc/openid-client-provider.js';
import { LocalEventBus } from '../stores/memory/local-event-bus.js';
import { LocalStreamPresence } from '../stores/memory/local-stream-presence.js';
import type { CacheStats } from '../stores/memory/tracked-cache.js';
import { pendingMigrations } from '../stores/sql/migrator.js';
import { SqlIdentityRepository } from '../stores/sql/sql-identity-repository.js';
import { SqlPendingSignOnStore } from '../stores/sql/sql-pending-sign-on-store.js';
import { countLiveSqlSessions } from '../stores/sql/sql-session-counter.js';
import {
  type AccountEmailServices,
  buildAccountEmailServices,
  buildEmailVerification,
  buildMailServices,
  type MailServices,
} from './build-account-services.js';
import { buildHasher, buildLoginThrottle } from './build-defences.js';
import { buildFactorServices } from './build-factor-services.js';
import { buildSessionServices } from './build-session-services.js';
import { buildTokenServices, type TokenServices } from './build-token-services.js';
import { openStorage, type StorageOptions } from './open-storage.js';

/** How old a store probe's answer may be when GET /api/health or /api/ready repeats it. */
const HEALTH_PROBE_MAX_AGE_MS = 250;

/**
 * Everything Heimdall's processes use, wired once: what the HTTP layer consumes (ApiServices, declared in src/http),
 * the token services, and what only the composition, the CLI and the benchmarks see.
 */
export interface Services extends ApiServices, TokenServices, MailServices, AccountEmailServices {
  /** Password-guess limits, for any route that checks a password (sign-in, token grant). */
  throttle: LoginThrottle;
  /** Per-IP budgets (registration, token endpoints). */
  limits: ActionLimiter;
  /** Prometheus metrics: counters fed by the audit trail and the HTTP layer, and scrape-time sources (hooks). */
  metrics: HeimdallMetrics;
  /** Live push fan-out: Redis pub/sub (sharded on a cluster) when Redis is configured, in-process otherwise. */
  events: EventBus;
  /** Open event streams per user across instances (Redis) or in this process. */
  presence: StreamPresence;
  /** Hits, misses, invalidations and flushes of the in-process caches (`sessions`, `users`), for benchmarks. */
  cacheStats(): Record<string, CacheStats>;
  /** The password hashing queue right now: hashes running, waiting, and shed with 503 so far. */
  hashLoad(): HashLoad;
  close(): Promise<void>;
}

/** Also StorageOptions: migrate, createDatabase, recordDeployment, joining, logger. */
export interface BuildServicesOptions extends Omit<StorageOptions, 'clock'> {
  clock?: Clock;
  random?: RandomSource;
  /**
   * Password hashing (default: argon2id with config.argon2 in worker threads); tests pass one that counts its work.
   * Either way it runs behind the bounded queue of PASSWORD_HASH_CONCURRENCY and PASSWORD_HASH_QUEUE.
   */
  hasher?: PasswordHasher;
  /** Outbound HTTP of the OIDC client (tests inject one that tampers with the provider's answers). */
  oidc?: OpenIdClientOptions;
  /** The push bus to use instead of the configured one (tests watch or break it). */
  events?: EventBus;
  /** Metrics registry to count into (default: a new one). */
  metrics?: HeimdallMetrics;
  /** Failures of background work that no request waits for (live push: presence updates, heartbeat re-checks). */
  reportError?: (error: unknown) => void;
  /** Failures to write an audit event (the event's operation goes on regardless). */
  reportAuditError?: (error: unknown) => void;
  /** Where mail goes instead of SMTP_URL's server or the outbox (tests that capture it). */
  mailTransport?: MailTransport;
  /** Tells account owners about security changes instead of mailing them (tests that watch the notices). */
  notifier?: AccountNotifier;
}

/** The composition root: opens stores, migrates, and builds the services over them. */
export async function buildServices(config: Config, options: BuildServicesOptions = {}): Promise<Services> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const storage = await openStorage(config, { ...options, clock });
  // What is open so far, closed again (newest first) when a later step fails: a refused start leaves no connection,
  // worker thread or timer behind.
  const opened: Array<() => Promise<void>> = [() => storage.database.close(), () => storage.stores.close()];
  try {
    return await assemble(config, options, { clock, random, ...storage }, opened);
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => {});
    throw error;
  }
}

/** The database and stores (openStorage), and the clock and randomness every service shares. */
interface Opened extends Awaited<ReturnType<typeof openStorage>> {
  clock: Clock;
  random: RandomSource;
}

async function assemble(
  config: Config,
  options: BuildServicesOptions,
  { clock, random, database, stores }: Opened,
  opened: Array<() => Promise<void>>,
): Promise<Services> {
  const { sessionStore, userRepository } = stores;
  // Live push transport, the one place to choose it: Redis pub/sub and presence when Redis is configured
  // (openStores), in-process on the embedded default.
  const events: EventBus = options.events ?? stores.eventBus ?? new LocalEventBus();
  const presence: StreamPresence = stores.streamPresence ?? new LocalStreamPresence();
  const metrics = options.metrics ?? new HeimdallMetrics();
  // Built before every service that tells owners about changes (the notifier) or mails them links.
  const mailed = buildMailServices({
    config,
    database,
    clock,
    random,
    users: userRepository,
    metrics,
    transport: options.mailTransport,
    reportError: options.reportError,
  });
  const mail: MailServices = options.notifier ? { ...mailed, notifier: options.notifier } : mailed;
  const notifier = mail.notifier;
  // Scrape-time sources. Live sessions are counted where they are kept: in SQL; Redis keeps no global index to count.
  if (!stores.redis) metrics.observeLiveSessions(() => countLiveSqlSessions(database.db, clock.now()));
  metrics.observeCaches(() => stores.cacheStats());
  const { sessions, anomalies, audit, denyList } = buildSessionServices({
    config,
    database,
    clock,
    random,
    sessionStore,
    users: userRepository,
    events,
    metrics,
    notifier,
    reportAuditError: options.reportAuditError,
  });
  const throttle = buildLoginThrottle(config, stores.redis);
  const { hasher, close: closeHasher } = buildHasher(config, options.hasher);
  opened.push(closeHasher);
  const users = new UserService({
    users: userRepository,
    hasher,
    clock,
    passwordPolicy: { minLength: config.passwordMinLength, maxLength: 128 },
    audit,
    events,
  });
  const accountEmail = { config, database, clock, random, users: userRepository, mail, audit, limits: throttle };
  const emailVerification = buildEmailVerification({ ...accountEmail, reportError: options.reportError });
  const factors = buildFactorServices({
    config,
    database,
    clock,
    random,
    users: userRepository,
    sessions,
    throttle,
    audit,
    anomalies,
    notifier,
  });
  const accounts = new AccountService({
    users,
    sessions,
    allowRegistration: config.allowRegistration,
    throttle,
    limits: throttle,
    audit,
    anomalies,
    verification: emailVerification,
    notifier,
    secondFactors: factors.secondFactors,
  });
  const stepUp = new StepUpService({
    accounts,
    secondFactors: factors.secondFactors,
    passkeys: factors.passkeys,
    sessions,
    audit,
  });
  const accountServices = buildAccountEmailServices(
    { ...accountEmail, hasher, sessions, reportError: options.reportError },
    emailVerification,
  );
  const streams = new StreamHub({
    bus: events,
    presence,
    sessions,
    heartbeatMs: config.eventsHeartbeatMs,
    onError: options.reportError,
  });
  metrics.observeEventStreams(() => streams.stats().streams);
  const messages = new MessageService({ events, presence, clock });
  const signOn = new SignOnService({
    providers: new OpenIdClientProviders(config.oidc.providers, options.oidc),
    identities: new SqlIdentityRepository(database.db),
    pending: new SqlPendingSignOnStore(database.db),
    users: userRepository,
    sessions,
    clock,
    random,
    publicOrigin: config.publicUrl,
    allowedOrigins: config.origins,
    linkVerifiedEmail: config.oidc.linkVerifiedEmail,
    allowRegistration: config.allowRegistration,
    anomalies,
    limits: throttle,
    audit,
    notifier,
    verification: emailVerification,
    secondFactors: factors.secondFactors,
  });
  const tokens = await buildTokenServices({
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
    secondFactors: factors.secondFactors,
  });

  const checkHealth = memoizeFor(HEALTH_PROBE_MAX_AGE_MS, async (): Promise<HealthReport> => {
    const [database, sessionStore] = await Promise.all([probe(stores.probes.database), probe(stores.probes.sessions)]);
    return { ok: database === 'ok' && sessionStore === 'ok', checks: { database, sessions: sessionStore } };
  });

  return {
    ...tokens,
    ...mail,
    ...accountServices,
    clock,
    users,
    sessions,
    accounts,
    signOn,
    ...factors,
    stepUp,
    audit,
    anomalies,
    throttle,
    limits: throttle,
    metrics,
    events,
    presence,
    streams,
    messages,
    cacheStats: () => stores.cacheStats(),
    hashLoad: () => hasher.load,
    storesDescription: stores.description,
    checkHealth,
    pendingMigrations: () => pendingMigrations(database.db),
    async close() {
      // Work a request started but did not wait for (a reset link being queued), then the mail worker's pass.
      await accountServices.passwordResets.settle();
      await mail.stopMailDelivery();
      await mail.mail.close();
      await streams.closeAll(0);
      // Redis' bus and presence close with the stores, a caller's bus with its caller; the in-process ones here.
      if (!options.events && !stores.eventBus) await events.close();
      if (!stores.streamPresence) await presence.close();
      tokens.stopTokenMaintenance();
      await stores.close();
      await database.close();
      await closeHasher();
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
