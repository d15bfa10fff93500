import { sql } from 'kysely';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { EventBus, StreamPresence } from '../core/events.js';
import type { SessionStore } from '../core/session.js';
import type { User, UserRepository } from '../core/user.js';
import { CachedSessionStore } from '../stores/memory/cached-session-store.js';
import { CachedUserRepository } from '../stores/memory/cached-user-repository.js';
import type { PackedSession } from '../stores/memory/packed-session.js';
import { type CacheStats, TrackedCache } from '../stores/memory/tracked-cache.js';
import { RedisConnection, type RedisLogger } from '../stores/redis/redis-connection.js';
import { RedisEventBus } from '../stores/redis/redis-event-bus.js';
import {
  RedisSessionStore,
  sessionIdKey,
  tokenHashOfKey,
  userIdOfIndexKey,
} from '../stores/redis/redis-session-store.js';
import { RedisStreamPresence } from '../stores/redis/redis-stream-presence.js';
import { RedisUserCache, userIdOfKey } from '../stores/redis/redis-user-cache.js';
import type { SqlDatabase } from '../stores/sql/database.js';
import { failClosedOnOutage } from '../stores/sql/sql-outage.js';
import { SqlSessionStore } from '../stores/sql/sql-session-store.js';
import { SqlUserRepository } from '../stores/sql/sql-user-repository.js';
import { SqliteDataVersion } from '../stores/sql/sqlite-data-version.js';

/** The session and user ports as configured, plus what health checks and shutdown need. */
export interface OpenStores {
  sessionStore: SessionStore;
  userRepository: UserRepository;
  /** The Redis connection when REDIS_URL or REDIS_CLUSTER_NODES is set. */
  redis: RedisConnection | null;
  /** Redis pub/sub (sharded on a cluster) when Redis is configured; null means "use the in-process bus". */
  eventBus: EventBus | null;
  /** Open event streams across instances when Redis is configured; null means "use the in-process registry". */
  streamPresence: StreamPresence | null;
  /** For the start-up line, e.g. "users in sqlite …, sessions in redis 127.0.0.1:6379 (cached, tracked)". */
  description: string;
  /** Counters of the in-process caches in use (none: empty). */
  cacheStats(): Record<string, CacheStats>;
  /**
   * Probes for /api/health and /api/ready, named by role (the same names whatever stands behind them, so that the
   * public answer reveals no store); each throws when its store is unreachable.
   */
  probes: { database: () => Promise<void>; sessions: () => Promise<void> };
  close(): Promise<void>;
}

/**
 * Chooses the stores: sessions in Redis when it is configured, else in SQL; users always in SQL. Caches are
 * decorators around the ports: with Redis, an in-process cache kept coherent by client tracking (users shared
 * through `hd:u:{id}`); on SQLite alone, one kept coherent by PRAGMA data_version; on PostgreSQL alone, none.
 */
export async function openStores(
  config: Config,
  database: SqlDatabase,
  clock: Clock,
  logger?: RedisLogger,
): Promise<OpenStores> {
  const sqlUsers: UserRepository = failClosedOnOutage(new SqlUserRepository(database.db));
  const probeDatabase = async () => {
    await sql`select 1`.execute(database.db);
  };
  const limits = { maxEntries: config.redis.cacheMaxEntries, maxAgeMs: config.redis.cacheMaxAgeMs };

  if (config.redisUrl || config.redisClusterNodes) {
    const redis = await RedisConnection.open(
      {
        url: config.redisUrl,
        clusterNodes: config.redisClusterNodes,
        commandTimeoutMs: config.redis.commandTimeoutMs,
        heartbeatMs: config.redis.heartbeatMs,
      },
      logger,
    );
    let sessionStore: SessionStore = new RedisSessionStore(redis, {
      waitReplicas: config.redis.waitReplicas,
      waitTimeoutMs: config.redis.waitTimeoutMs,
    });
    let userRepository: UserRepository = new RedisUserCache(sqlUsers, redis, { ttlMs: config.redis.userCacheTtlMs });
    const caches: Record<string, TrackedCache<unknown>> = {};
    if (config.redis.clientCache) {
      const sessionCaches = {
        sessions: new TrackedCache<PackedSession>(redis, { ...limits, localKey: tokenHashOfKey }),
        lists: new TrackedCache<string[]>(redis, { ...limits, localKey: userIdOfIndexKey }),
        idKey: sessionIdKey,
      };
      // An in-process user copy never outlives the shared copy's lifetime: if Redis is slow to expire (and so to
      // announce) `hd:u:{id}`, as with a keyspace too large for its sampler, the bound on changes made directly in
      // SQL still holds.
      const userCache = new TrackedCache<User>(redis, {
        ...limits,
        maxAgeMs: Math.min(limits.maxAgeMs, config.redis.userCacheTtlMs),
        localKey: userIdOfKey,
      });
      sessionStore = new CachedSessionStore(sessionStore, sessionCaches);
      userRepository = new CachedUserRepository(userRepository, userCache);
      Object.assign(caches, { sessions: sessionCaches.sessions, sessionLists: sessionCaches.lists, users: userCache });
    }
    const probes: OpenStores['probes'] = {
      database: probeDatabase,
      sessions: async () => {
        await redis.ping();
        // With the cache on, a link whose invalidations may have been missed is not healthy until proven live again.
        if (config.redis.clientCache && !redis.isLive()) throw new Error('invalidation channel not live');
      },
    };
    const cache = config.redis.clientCache ? 'in-process cache with RESP3 client tracking' : 'no in-process cache';
    let eventBus: EventBus;
    try {
      eventBus = await RedisEventBus.open(redis);
    } catch (error) {
      await redis.close();
      throw error;
    }
    const streamPresence = new RedisStreamPresence(redis, { clock });
    return {
      sessionStore,
      userRepository,
      redis,
      eventBus,
      streamPresence,
      description: `users in ${database.description}, sessions in ${redis.description} (${cache})`,
      probes,
      cacheStats: () => statsOf(caches),
      async close() {
        await streamPresence.close();
        await eventBus.close();
        await redis.close();
      },
    };
  }

  let sessionStore: SessionStore = failClosedOnOutage(new SqlSessionStore(database.db));
  let userRepository: UserRepository = sqlUsers;
  let cache = 'no cache';
  const caches: Record<string, TrackedCache<unknown>> = {};
  if (database.dataVersion && config.sqliteCache) {
    const coherence = new SqliteDataVersion(database.dataVersion);
    const sessionCaches = {
      sessions: new TrackedCache<PackedSession>(coherence, limits),
      lists: new TrackedCache<string[]>(coherence, limits),
      idKey: (id: string) => `sid:${id}`,
    };
    const userCache = new TrackedCache<User>(coherence, limits);
    sessionStore = new CachedSessionStore(sessionStore, sessionCaches);
    userRepository = new CachedUserRepository(userRepository, userCache);
    Object.assign(caches, { sessions: sessionCaches.sessions, sessionLists: sessionCaches.lists, users: userCache });
    cache = 'in-process cache checked against PRAGMA data_version';
  }
  return {
    sessionStore,
    userRepository,
    redis: null,
    eventBus: null,
    streamPresence: null,
    description: `users in ${database.description}, sessions in ${database.dialect} (${cache})`,
    probes: { database: probeDatabase, sessions: probeDatabase },
    cacheStats: () => statsOf(caches),
    close: () => sessionStore.close(),
  };
}

function statsOf(caches: Record<string, TrackedCache<unknown>>): Record<string, CacheStats> {
  return Object.fromEntries(Object.entries(caches).map(([name, cache]) => [name, cache.stats()]));
}
