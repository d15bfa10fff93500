import { describe, expect, it } from 'vitest';
import { SqlSessionStore } from '../../src/stores/sql/sql-session-store.js';
import { describeSessionStoreContract, makeSession } from '../contracts/session-store.js';
import { DIALECT_LABELS, DIALECTS, insertUserRow, useSqlDatabases } from '../helpers/sql-dialects.js';

const databases = useSqlDatabases();

for (const dialect of DIALECTS) {
  // One database for the whole contract suite: its tests use fresh random user ids, so they do not interfere.
  let shared: ReturnType<typeof databases.open> | undefined;
  describeSessionStoreContract(DIALECT_LABELS[dialect], async () => {
    shared ??= databases.open(dialect);
    const database = await shared;
    return {
      store: new SqlSessionStore(database.db),
      ensureUser: (id) => insertUserRow(database, id),
      cleanup: async () => {},
    };
  });

  describe(`SqlSessionStore on ${DIALECT_LABELS[dialect]}`, () => {
    it('pruneExpired() deletes sessions past their idle or absolute expiry and keeps live ones', async () => {
      const database = await databases.open(dialect);
      await insertUserRow(database, 'u1');
      const store = new SqlSessionStore(database.db);
      const now = 1_000_000;
      const idleGone = makeSession('u1', { idleExpiresAt: now - 1, absoluteExpiresAt: now + 10_000 });
      const absoluteGone = makeSession('u1', { idleExpiresAt: now + 10_000, absoluteExpiresAt: now });
      const live = makeSession('u1', { idleExpiresAt: now + 10_000, absoluteExpiresAt: now + 20_000 });
      for (const s of [idleGone, absoluteGone, live]) await store.insert(s);
      expect(await store.pruneExpired(now)).toBe(2);
      expect((await store.listForUser('u1')).map((s) => s.id)).toEqual([live.id]);
    });

    it('deleting a user deletes their sessions (foreign key cascade)', async () => {
      const database = await databases.open(dialect);
      await insertUserRow(database, 'u2');
      const store = new SqlSessionStore(database.db);
      const session = makeSession('u2');
      await store.insert(session);
      await database.db.deleteFrom('users').where('id', '=', 'u2').execute();
      expect(await store.findByTokenHash(session.tokenHash)).toBeNull();
    });
  });
}
