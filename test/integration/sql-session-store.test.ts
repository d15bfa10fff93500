import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqlDatabase } from '../../src/stores/db/database.js';
import { migrateToLatest } from '../../src/stores/db/migrator.js';
import { SqlSessionStore } from '../../src/stores/session/sql-session-store.js';
import { describeSessionStoreContract, makeSession } from '../contracts/session-store.js';

async function openSqlite(): Promise<SqlDatabase> {
  const database = await openDatabase('sqlite::memory:');
  await migrateToLatest(database.db);
  return database;
}

async function insertUser(database: SqlDatabase, id: string): Promise<void> {
  await database.db
    .insertInto('users')
    .values({
      id,
      email: `${id}@example.test`,
      name: id,
      roles: '["user"]',
      password_hash: null,
      disabled: 0,
      session_version: 0,
      created_at: 0,
      updated_at: 0,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

describeSessionStoreContract('SQLite', async () => {
  const database = await openSqlite();
  return {
    store: new SqlSessionStore(database.db),
    ensureUser: (id) => insertUser(database, id),
    cleanup: () => database.close(),
  };
});

describe('SqlSessionStore on SQLite', () => {
  let database: SqlDatabase | undefined;
  afterEach(async () => {
    await database?.close();
  });

  it('pruneExpired() deletes sessions past their idle or absolute expiry and keeps live ones', async () => {
    database = await openSqlite();
    await insertUser(database, 'u1');
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
    database = await openSqlite();
    await insertUser(database, 'u2');
    const store = new SqlSessionStore(database.db);
    const session = makeSession('u2');
    await store.insert(session);
    await database.db.deleteFrom('users').where('id', '=', 'u2').execute();
    expect(await store.findByTokenHash(session.tokenHash)).toBeNull();
  });
});
