import type { Config } from './config.js';
import { AccountService } from './core/account-service.js';
import { type Clock, systemClock } from './core/clock.js';
import type { EventBus, StreamPresence } from './core/events.js';
import { Argon2Hasher } from './core/passwords.js';
import { SessionService } from './core/session-service.js';
import { cryptoRandom, type RandomSource } from './core/tokens.js';
import { UserService } from './core/user-service.js';
import type { CacheStats } from './stores/cache/tracked-cache.js';
import { openDatabase, type SqlDatabase } from './stores/db/database.js';
import { migrateToLatest } from './stores/db/migrator.js';
import { openStores } from './stores/open-stores.js';
import type { RedisLogger } from './stores/redis/redis-connection.js';

export interface HealthReport {
  ok: boolean;
  checks: Record<string, 'ok' | 'unavailable'>;
}

/** Everything the HTTP layer and the CLI use, wired once. */
export interface Services {
  clock: Clock;
  users: UserService;
  sessions: SessionService;
  accounts: AccountService;
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
  /** Run migrations on open (default true; `heimdall migrate` exists for those who migrate separately). */
  migrate?: boolean;
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
  const users = new UserService({
    users: userRepository,
    hasher: new Argon2Hasher(config.argon2),
    clock,
    passwordPolicy: { minLength: config.passwordMinLength, maxLength: 128 },
  });
  const sessions = new SessionService({
    store: sessionStore,
    users: userRepository,
    clock,
    policy: config.session,
    random,
  });
  const accounts = new AccountService({ users, sessions, allowRegistration: config.allowRegistration });

  return {
    clock,
    users,
    sessions,
    accounts,
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
