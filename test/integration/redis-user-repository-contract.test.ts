import type { User, UserRepository } from '../../src/core/user.js';
import { CachedUserRepository } from '../../src/stores/memory/cached-user-repository.js';
import { TrackedCache } from '../../src/stores/memory/tracked-cache.js';
import type { RedisConnection } from '../../src/stores/redis/redis-connection.js';
import { PASSWORD_NOT_SHARED, RedisUserCache, userIdOfKey } from '../../src/stores/redis/redis-user-cache.js';
import type { SqlDatabase } from '../../src/stores/sql/database.js';
import { SqlEmailTokenStore } from '../../src/stores/sql/sql-email-token-store.js';
import { failClosedOnOutage } from '../../src/stores/sql/sql-outage.js';
import { SqlUserRepository } from '../../src/stores/sql/sql-user-repository.js';
import { describeUserRepositoryContract } from '../contracts/user-repository.js';
import { REDIS_TOPOLOGIES, TOPOLOGY_LABELS, useRedis } from '../helpers/redis-topologies.js';
import { DIALECT_LABELS, DIALECTS } from '../helpers/sql-dialects.js';
import { useTwoConnections } from '../helpers/two-connections.js';

const openTwoConnections = useTwoConnections();

/** As openStores() composes it with Redis (REDIS_USER_CACHE_TTL's default). */
function sharedCopy(database: SqlDatabase, redis: RedisConnection): UserRepository {
  const sqlUsers = failClosedOnOutage<UserRepository>(new SqlUserRepository(database.db));
  return new RedisUserCache(sqlUsers, redis, { ttlMs: 15 * 60_000 });
}

for (const topology of REDIS_TOPOLOGIES) {
  const redis = useRedis(topology);
  // Two instances' connections, shared by every test: user ids are fresh UUIDs, so keys never collide.
  let connections: Promise<{ here: RedisConnection; there: RedisConnection }> | undefined;
  const connect = () => {
    connections ??= redis().then(async (r) => ({ here: await r.connect(), there: await r.connect() }));
    return connections;
  };

  for (const dialect of DIALECTS) {
    const on = `${TOPOLOGY_LABELS[topology]} over ${DIALECT_LABELS[dialect]}`;

    // No copy in process memory: every read asks Redis, so another instance's change shows on the next read. A
    // change made in SQL behind Redis' back is not the contract here: it lives until the copy's TTL, by design.
    describeUserRepositoryContract(`RedisUserCache(failClosedOnOutage(SqlUserRepository)) on ${on}`, async () => {
      const { here, there } = await connect();
      const { database, other, close } = await openTwoConnections(dialect);
      return {
        repository: sharedCopy(database, here),
        otherWriter: sharedCopy(other, there),
        coherence: 'next-read',
        maskedPasswordHash: PASSWORD_NOT_SHARED,
        tokens: new SqlEmailTokenStore(database.db),
        cleanup: close,
      };
    });

    // The full stack of an instance with REDIS_CLIENT_CACHE on; the other writer is a second instance with its own
    // cache and connection, whose changes reach this one's memory through client tracking.
    describeUserRepositoryContract(
      `CachedUserRepository(RedisUserCache(failClosedOnOutage(SqlUserRepository))) on ${on}, tracked`,
      async () => {
        const { here, there } = await connect();
        const { database, other, close } = await openTwoConnections(dialect);
        const limits = { maxEntries: 1_000 };
        const hereCache = new TrackedCache<User>(here, { ...limits, localKey: userIdOfKey });
        const thereCache = new TrackedCache<User>(there, { ...limits, localKey: userIdOfKey });
        return {
          repository: new CachedUserRepository(sharedCopy(database, here), hereCache),
          otherWriter: new CachedUserRepository(sharedCopy(other, there), thereCache),
          coherence: 'eventual',
          maskedPasswordHash: PASSWORD_NOT_SHARED,
          tokens: new SqlEmailTokenStore(database.db),
          cleanup: async () => {
            hereCache.close();
            thereCache.close();
            await close();
          },
        };
      },
    );
  }
}
