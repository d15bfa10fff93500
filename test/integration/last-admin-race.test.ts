import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import type { GuardedUserWrite, UserRepository } from '../../src/core/user.js';
import { openDatabase, type SqlDatabase } from '../../src/stores/sql/database.js';
import { migrateToLatest } from '../../src/stores/sql/migrator.js';
import { SqlUserRepository } from '../../src/stores/sql/sql-user-repository.js';
import { ROOT, tempDir } from '../helpers/heimdall-process.js';
import { useSqlDatabases } from '../helpers/sql-dialects.js';
import { createTestApp, PASSWORD, TestClient } from '../helpers/test-app.js';

/** The ways to take away an active admin, each a guarded write. */
const REMOVALS = ['demote', 'disable', 'delete'] as const;
type Removal = (typeof REMOVALS)[number];
const ROUNDS = 6;
const RACERS = 4;

function remove(users: UserRepository, how: Removal, id: string): Promise<GuardedUserWrite> {
  const now = Date.now();
  if (how === 'demote') return users.setRoles(id, ['user'], now);
  return how === 'disable' ? users.setDisabled(id, true, now) : users.delete(id);
}

async function activeAdmins(database: SqlDatabase): Promise<string[]> {
  const rows = await database.db.selectFrom('users').select(['id', 'roles', 'disabled']).execute();
  return rows.filter((r) => Number(r.disabled) === 0 && JSON.parse(r.roles).includes('admin')).map((r) => r.id);
}

/** Brings the set of active admins up to `count` (new accounts promoted), and returns them. */
async function admins(users: UserRepository, database: SqlDatabase, round: number, count: number) {
  let active = await activeAdmins(database);
  for (let n = 0; active.length < count; n++) {
    const created = await users.create({
      id: `r${round}-a${n}-${Math.random().toString(36).slice(2)}`,
      email: `round-${round}-admin-${n}@asgard.example`,
      name: 'Einherjar',
      passwordHash: null,
      createdAt: Date.now(),
    });
    if (!created.ok) throw new Error('setup');
    await users.setRoles(created.user.id, ['admin'], Date.now());
    active = await activeAdmins(database);
  }
  return active;
}

/**
 * The last-active-admin rule under real concurrency: several connections (PostgreSQL) or several processes (SQLite)
 * each take away a different one of the active admins at the same moment. However the writes interleave, exactly one
 * of them must be refused and exactly one active admin must remain — which check-then-write cannot promise.
 */
describe('the last active admin under concurrent removals', () => {
  const databases = useSqlDatabases();
  const opened: SqlDatabase[] = [];
  afterAll(async () => {
    for (const database of opened) await database.close();
  });

  it(`on PostgreSQL: ${RACERS} connections racing, ${ROUNDS} rounds, one admin always remains`, async () => {
    const url = await databases.url('postgres');
    for (let i = 0; i < RACERS; i++) opened.push(await openDatabase(url));
    await migrateToLatest(opened[0]!.db);
    const repositories = opened.map((database) => new SqlUserRepository(database.db));
    for (let round = 0; round < ROUNDS; round++) {
      const targets = await admins(repositories[0]!, opened[0]!, round, RACERS);
      const results = await Promise.all(
        targets.map((id, i) => remove(repositories[i]!, REMOVALS[(i + round) % REMOVALS.length]!, id)),
      );
      expect(
        results.filter((r) => r.ok),
        `round ${round}`,
      ).toHaveLength(RACERS - 1);
      expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.code)).toEqual(['last_admin']);
      expect(await activeAdmins(opened[0]!), `round ${round}`).toHaveLength(1);
    }
  });

  it(`on SQLite: ${RACERS} processes on one file racing, ${ROUNDS} rounds, one admin always remains`, async () => {
    const dir = tempDir('heimdall-admin-race-');
    try {
      const url = `sqlite:${join(dir.dir, 'heimdall.db')}`;
      const database = await openDatabase(url);
      opened.push(database);
      await migrateToLatest(database.db);
      const users = new SqlUserRepository(database.db);
      for (let round = 0; round < ROUNDS; round++) {
        const targets = await admins(users, database, round, RACERS);
        const racers = await Promise.all(
          targets.map((id, i) => startRacer(url, REMOVALS[(i + round) % REMOVALS.length]!, id)),
        );
        // Every process has opened the database and waits: all are told to go at once.
        for (const racer of racers) racer.go();
        const results = await Promise.all(racers.map((racer) => racer.result));
        expect(
          results.filter((r) => r.ok),
          `round ${round}`,
        ).toHaveLength(RACERS - 1);
        expect(results.filter((r) => !r.ok).map((r) => r.code)).toEqual(['last_admin']);
        expect(await activeAdmins(database), `round ${round}`).toHaveLength(1);
      }
    } finally {
      dir.remove();
    }
  });

  it('over HTTP on two instances sharing PostgreSQL: two admins removing each other or themselves at once', async () => {
    const scenarios: { name: string; act: (c: TestClient[], ids: string[]) => Promise<number>[] }[] = [
      {
        name: 'each deletes its own account',
        act: (c) =>
          c.map(async (client) => (await client.request({ method: 'DELETE', url: '/api/account' })).statusCode),
      },
      {
        name: 'each disables the other',
        act: (c, ids) =>
          c.map(
            async (client, i) =>
              (await client.request({ method: 'POST', url: `/api/admin/users/${ids[1 - i]}/disable` })).statusCode,
          ),
      },
      {
        name: 'each demotes the other',
        act: (c, ids) =>
          c.map(async (client, i) => {
            const url = `/api/admin/users/${ids[1 - i]}/roles`;
            return (await client.request({ method: 'PUT', url, payload: { roles: ['user'] } })).statusCode;
          }),
      },
    ];
    for (const scenario of scenarios) {
      // Two instances on a fresh database: the first account is the bootstrap admin, and it makes the second one.
      const url = await databases.url('postgres');
      const apps = [await createTestApp({ DATABASE_URL: url }), await createTestApp({ DATABASE_URL: url })];
      try {
        const clients = apps.map((t) => new TestClient(t.app));
        for (const [i, client] of clients.entries()) await client.register(`einherjar-${i}@asgard.example`, PASSWORD);
        const ids = await Promise.all(clients.map(async (c) => (await c.get('/api/session')).json().user.id as string));
        const promoted = await clients[0]!.request({
          method: 'PUT',
          url: `/api/admin/users/${ids[1]}/roles`,
          payload: { roles: ['admin'] },
        });
        expect(promoted.statusCode).toBe(200);
        const answers = await Promise.all(scenario.act(clients, ids));
        // Exactly one removal goes through. The other is refused by the rule (409), or — when the first removal
        // landed before the second request was even authenticated — by the removal itself: a disabled admin's
        // session is dead (401), a demoted one is no admin any more (403).
        expect(
          answers.filter((status) => status === 200 || status === 204),
          scenario.name,
        ).toHaveLength(1);
        expect([409, 401, 403], scenario.name).toContain(answers.find((status) => status !== 200 && status !== 204));
        const listed = await apps[1]!.services.users.list({ limit: 10 });
        expect(
          listed.users.filter((u) => !u.disabled && u.roles.includes('admin')),
          scenario.name,
        ).toHaveLength(1);
      } finally {
        for (const app of apps) await app.close();
      }
    }
  });
});

interface Racer {
  go(): void;
  result: Promise<{ ok: boolean; code?: string }>;
}

/**
 * A separate Node process with its own connection to the SQLite file (compiled modules from dist/): it opens the
 * database, says it is ready, and on "go" makes its one guarded write.
 */
async function startRacer(url: string, how: Removal, id: string): Promise<Racer> {
  const dist = (path: string) => JSON.stringify(join(ROOT, 'dist', path));
  const script = `
    const { openDatabase } = await import(${dist('stores/sql/database.js')});
    const { SqlUserRepository } = await import(${dist('stores/sql/sql-user-repository.js')});
    const [url, how, id] = process.argv.slice(1);
    const database = await openDatabase(url);
    const users = new SqlUserRepository(database.db);
    process.stdout.write('ready\\n');
    process.stdin.once('data', async () => {
      const now = Date.now();
      const result =
        how === 'demote' ? await users.setRoles(id, ['user'], now)
        : how === 'disable' ? await users.setDisabled(id, true, now)
        : await users.delete(id);
      process.stdout.write(JSON.stringify(result.ok ? { ok: true } : result) + '\\n');
      await database.close();
      process.exit(0);
    });`;
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', script, url, how, id], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.value !== 'ready') throw new Error(`racer did not start: ${String(first.value)}`);
  return {
    go: () => child.stdin!.write('go\n'),
    result: lines.next().then((line) => JSON.parse(String(line.value)) as { ok: boolean; code?: string }),
  };
}
