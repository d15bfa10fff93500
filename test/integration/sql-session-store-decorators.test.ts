import { describe, expect, it } from 'vitest';
import { createDenyList, DENY_HOLD_MS } from '../../src/app/build-token-services.js';
import { FamilyRevokingSessionStore } from '../../src/core/family-revoking-session-store.js';
import type { SessionStore } from '../../src/core/session.js';
import { CachedSessionStore } from '../../src/stores/memory/cached-session-store.js';
import type { PackedSession } from '../../src/stores/memory/packed-session.js';
import { TrackedCache } from '../../src/stores/memory/tracked-cache.js';
import type { SqlDatabase } from '../../src/stores/sql/database.js';
import { failClosedOnOutage } from '../../src/stores/sql/sql-outage.js';
import { SqlSessionStore } from '../../src/stores/sql/sql-session-store.js';
import { SqliteDataVersion } from '../../src/stores/sql/sqlite-data-version.js';
import { describeSessionStoreContract, makeSession } from '../contracts/session-store.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { DIALECTS, type DialectName, insertUserRow } from '../helpers/sql-dialects.js';
import { type TwoConnections, useTwoConnections } from '../helpers/two-connections.js';

const openTwoConnections = useTwoConnections();

/** The session store as openStores() composes it without Redis: the outage proxy, cached on SQLite. */
function productionStore(dialect: DialectName, database: SqlDatabase): SessionStore {
  const sql = failClosedOnOutage<SessionStore>(new SqlSessionStore(database.db));
  if (dialect !== 'sqlite') return sql;
  const coherence = new SqliteDataVersion(database.dataVersion!);
  const limits = { maxEntries: 1_000 };
  return new CachedSessionStore(sql, {
    sessions: new TrackedCache<PackedSession>(coherence, limits),
    lists: new TrackedCache<string[]>(coherence, limits),
    idKey: (id) => `sid:${id}`,
  });
}

/** What productionStore() builds, and where. */
const PRODUCTION: Record<DialectName, { composition: string; on: string }> = {
  sqlite: {
    composition: 'CachedSessionStore(failClosedOnOutage(SqlSessionStore))',
    on: 'SQLite, coherent by data_version',
  },
  postgres: { composition: 'failClosedOnOutage(SqlSessionStore)', on: 'PostgreSQL' },
};

for (const dialect of DIALECTS) {
  // One database per dialect for the contract suites (their tests use fresh user ids), seen through a second
  // connection as well: the other writer is another process on the same database (a second instance, the CLI).
  let shared: Promise<TwoConnections> | undefined;
  const open = () => {
    shared ??= openTwoConnections(dialect);
    return shared;
  };
  // The production composition on SQLite checks data_version once per task; PostgreSQL has no cache, next read.
  const production = dialect === 'sqlite' ? ('next-task' as const) : ('next-read' as const);
  const fixture = async (build: (database: SqlDatabase) => SessionStore, coherence = production) => {
    const { database, other } = await open();
    const store = build(database);
    return {
      store,
      ensureUser: (id: string) => insertUserRow(database, id),
      otherWriter: new SqlSessionStore(other.db),
      coherence,
      cleanup: () => store.close(),
    };
  };

  if (dialect === 'sqlite') {
    describeSessionStoreContract('failClosedOnOutage(SqlSessionStore) on SQLite', () =>
      fixture((database) => failClosedOnOutage<SessionStore>(new SqlSessionStore(database.db)), 'next-read'),
    );
  }
  const { composition, on } = PRODUCTION[dialect];
  describeSessionStoreContract(`${composition} on ${on}`, () =>
    fixture((database) => productionStore(dialect, database)),
  );
  // As buildServices() wraps it: every deletion of an API family also denies its access tokens.
  describeSessionStoreContract(`FamilyRevokingSessionStore(${composition}) on ${on}`, () =>
    fixture(
      (database) =>
        new FamilyRevokingSessionStore(productionStore(dialect, database), createDenyList(database, new FakeClock())),
    ),
  );

  describe(`FamilyRevokingSessionStore(${composition}) on ${on}`, () => {
    it('every deletion of an API family denies it here at once and on other instances after a sync; nothing else', async () => {
      const { database, other } = await open();
      const clock = new FakeClock();
      const denyList = createDenyList(database, clock);
      const store = new FamilyRevokingSessionStore(productionStore(dialect, database), denyList);
      const userId = `u-family-${Date.now()}`;
      await insertUserRow(database, userId);
      const [revoked, signedOut, kept] = [1, 2, 3].map(() => makeSession(userId, { kind: 'api' }));
      const cookies = [makeSession(userId), makeSession(userId)];
      const all = [revoked!, signedOut!, kept!, ...cookies];
      for (const s of all) await store.insert(s);
      // Read first, as requests do, so that a cache holds the families when they are deleted.
      for (const s of all) await store.findByTokenHash(s.tokenHash);
      await store.listForUser(userId);

      expect(await store.delete(revoked!.tokenHash)).toBe(true);
      expect(denyList.isDenied(revoked!.id)).toBe(true);
      expect(await store.delete(cookies[0]!.tokenHash)).toBe(true);
      expect(await store.deleteAllForUser(userId, kept!.tokenHash)).toBe(2);
      expect(denyList.isDenied(signedOut!.id)).toBe(true);
      for (const s of [kept!, ...cookies]) expect(denyList.isDenied(s.id)).toBe(false);

      const elsewhere = createDenyList(other, clock);
      await elsewhere.sync();
      expect(all.map((s) => elsewhere.isDenied(s.id))).toEqual([true, true, false, false, false]);
      clock.advance(DENY_HOLD_MS);
      expect(denyList.isDenied(revoked!.id)).toBe(false);
      await store.close();
    });
  });
}
