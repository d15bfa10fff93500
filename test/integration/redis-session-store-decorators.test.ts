import { describe, expect, it } from 'vitest';
import { createDenyList, DENY_HOLD_MS } from '../../src/app/build-token-services.js';
import { FamilyRevokingSessionStore } from '../../src/core/family-revoking-session-store.js';
import type { SessionStore } from '../../src/core/session.js';
import { CachedSessionStore } from '../../src/stores/memory/cached-session-store.js';
import type { PackedSession } from '../../src/stores/memory/packed-session.js';
import { TrackedCache } from '../../src/stores/memory/tracked-cache.js';
import type { RedisConnection } from '../../src/stores/redis/redis-connection.js';
import {
  RedisSessionStore,
  sessionIdKey,
  tokenHashOfKey,
  userIdOfIndexKey,
} from '../../src/stores/redis/redis-session-store.js';
import type { SqlDatabase } from '../../src/stores/sql/database.js';
import { describeSessionStoreContract, makeSession } from '../contracts/session-store.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { REDIS_TOPOLOGIES, TOPOLOGY_LABELS, useRedis } from '../helpers/redis-topologies.js';
import { useSqlDatabases } from '../helpers/sql-dialects.js';

const databases = useSqlDatabases();
// The deny list lives in SQL whatever holds the sessions; one database for the file (fresh ids everywhere).
let denials: Promise<SqlDatabase> | undefined;
const denialDatabase = () => {
  denials ??= databases.open('sqlite');
  return denials;
};

/** As openStores() composes it with REDIS_CLIENT_CACHE on: an in-process cache kept coherent by client tracking. */
function cachedOnRedis(redis: RedisConnection): SessionStore {
  const limits = { maxEntries: 1_000 };
  return new CachedSessionStore(new RedisSessionStore(redis), {
    sessions: new TrackedCache<PackedSession>(redis, { ...limits, localKey: tokenHashOfKey }),
    lists: new TrackedCache<string[]>(redis, { ...limits, localKey: userIdOfIndexKey }),
    idKey: sessionIdKey,
  });
}

for (const topology of REDIS_TOPOLOGIES) {
  const on = TOPOLOGY_LABELS[topology];
  const redis = useRedis(topology);
  // Two instances' connections, shared by every test: session hashes and user ids are fresh, so keys never collide.
  let connections: Promise<{ here: RedisConnection; there: RedisConnection }> | undefined;
  const connect = () => {
    connections ??= redis().then(async (r) => ({ here: await r.connect(), there: await r.connect() }));
    return connections;
  };
  // The other writer is a second instance's store on its own connection; its changes reach this instance's memory
  // through tracking invalidations, which Redis pushes asynchronously.
  const fixture = async (build: (here: RedisConnection, denials: SqlDatabase) => SessionStore) => {
    const { here, there } = await connect();
    const store = build(here, await denialDatabase());
    return {
      store,
      ensureUser: async () => {},
      otherWriter: new RedisSessionStore(there),
      coherence: 'eventual' as const,
      expiresByItself: true,
      cleanup: () => store.close(),
    };
  };

  describeSessionStoreContract(`CachedSessionStore(RedisSessionStore) on ${on}, tracked`, () =>
    fixture((here) => cachedOnRedis(here)),
  );
  // As buildServices() wraps the store, with the client cache on and off (REDIS_CLIENT_CACHE=false).
  describeSessionStoreContract(`FamilyRevokingSessionStore(CachedSessionStore(RedisSessionStore)) on ${on}`, () =>
    fixture((here, db) => new FamilyRevokingSessionStore(cachedOnRedis(here), createDenyList(db, new FakeClock()))),
  );
  describeSessionStoreContract(`FamilyRevokingSessionStore(RedisSessionStore) on ${on}`, () =>
    fixture(
      (here, db) => new FamilyRevokingSessionStore(new RedisSessionStore(here), createDenyList(db, new FakeClock())),
    ),
  );

  describe(`FamilyRevokingSessionStore(CachedSessionStore(RedisSessionStore)) on ${on}`, () => {
    it('every deletion of an API family denies it here at once and on other instances after a sync; nothing else', async () => {
      const { here } = await connect();
      const db = await denialDatabase();
      const clock = new FakeClock();
      const denyList = createDenyList(db, clock);
      const store = new FamilyRevokingSessionStore(cachedOnRedis(here), denyList);
      const userId = `u-family-${Date.now()}`;
      const [revoked, signedOut, kept] = [1, 2, 3].map(() => makeSession(userId, { kind: 'api' }));
      const cookies = [makeSession(userId), makeSession(userId)];
      const all = [revoked!, signedOut!, kept!, ...cookies];
      for (const s of all) await store.insert(s);
      // Read first, as requests do, so that the cache holds the families when they are deleted.
      for (const s of all) await store.findByTokenHash(s.tokenHash);
      await store.listForUser(userId);

      expect(await store.delete(revoked!.tokenHash)).toBe(true);
      expect(denyList.isDenied(revoked!.id)).toBe(true);
      expect(await store.delete(cookies[0]!.tokenHash)).toBe(true);
      expect(await store.deleteAllForUser(userId, kept!.tokenHash)).toBe(2);
      expect(denyList.isDenied(signedOut!.id)).toBe(true);
      for (const s of [kept!, ...cookies]) expect(denyList.isDenied(s.id)).toBe(false);

      const elsewhere = createDenyList(db, clock);
      await elsewhere.sync();
      expect(all.map((s) => elsewhere.isDenied(s.id))).toEqual([true, true, false, false, false]);
      clock.advance(DENY_HOLD_MS);
      expect(denyList.isDenied(revoked!.id)).toBe(false);
      await store.close();
    });
  });
}
