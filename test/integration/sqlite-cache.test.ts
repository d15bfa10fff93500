import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session, SessionStore } from '../../src/core/session.js';
import { SessionService } from '../../src/core/session-service.js';
import type { User, UserRepository } from '../../src/core/user.js';
import { CachedSessionStore } from '../../src/stores/memory/cached-session-store.js';
import { CachedUserRepository } from '../../src/stores/memory/cached-user-repository.js';
import type { PackedSession } from '../../src/stores/memory/packed-session.js';
import { TrackedCache } from '../../src/stores/memory/tracked-cache.js';
import { openDatabase, type SqlDatabase } from '../../src/stores/sql/database.js';
import { migrateToLatest } from '../../src/stores/sql/migrator.js';
import { SqlSessionStore } from '../../src/stores/sql/sql-session-store.js';
import { SqlUserRepository } from '../../src/stores/sql/sql-user-repository.js';
import { SqliteDataVersion } from '../../src/stores/sql/sqlite-data-version.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { createTestApp, signedUpClient, type TestApp } from '../helpers/test-app.js';

/** Sessions made as a password sign-in makes them. */
const PASSWORD = { methods: ['password' as const] };

const execFileAsync = promisify(execFile);
const CLI = fileURLToPath(new URL('../../dist/cli/heimdall.js', import.meta.url));

/** Counts the calls that reach a port, i.e. the SQL queries the cache did not save. */
function counted<T extends object>(inner: T): { port: T; calls: () => number } {
  let calls = 0;
  const port = new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return value.apply(target, args);
      };
    },
  });
  return { port, calls: () => calls };
}

describe('the in-process cache on the embedded SQLite default', () => {
  let dir: string;
  const opened: SqlDatabase[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'heimdall-sqlite-cache-'));
  });
  afterAll(async () => {
    for (const database of opened) await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(file: string): Promise<SqlDatabase> {
    const database = await openDatabase(`sqlite:${join(dir, file)}`);
    await migrateToLatest(database.db);
    opened.push(database);
    return database;
  }

  it('cached users share one frozen roles list and one factors list, and a change to one user leaves the others', async () => {
    const database = await open('shared-lists.db');
    const users = new CachedUserRepository(
      new SqlUserRepository(database.db),
      new TrackedCache<User>(new SqliteDataVersion(database.dataVersion!), { maxEntries: 100 }),
    );
    const ids: string[] = [];
    for (const name of ['admin', 'odin', 'thor']) {
      const id = crypto.randomUUID();
      const made = await users.create({ id, email: `${name}@example.test`, name, passwordHash: null, createdAt: 0 });
      expect(made.ok).toBe(true);
      ids.push(id);
    }
    const [, odin, thor] = await Promise.all(ids.map(async (id) => (await users.findById(id))!));
    expect(odin!.roles).toBe(thor!.roles);
    expect(odin!.secondFactors).toBe(thor!.secondFactors);
    expect(Object.isFrozen(odin!.roles)).toBe(true);
    expect((await users.setRoles(ids[1]!, ['user', 'editor'], 1)).ok).toBe(true);
    expect((await users.findById(ids[1]!))!.roles).toEqual(['user', 'editor']);
    expect((await users.findById(ids[2]!))!.roles).toEqual(['user']);
  });

  it('validates a cached session with no SQL query, and sees a role change committed by another connection', async () => {
    const database = await open('ports.db');
    const other = await open('ports.db');
    const clock = new FakeClock();
    const coherence = new SqliteDataVersion(database.dataVersion!);
    const sqlSessions = counted<SessionStore>(new SqlSessionStore(database.db));
    const sqlUsers = counted<UserRepository>(new SqlUserRepository(database.db));
    const store = new CachedSessionStore(sqlSessions.port, {
      sessions: new TrackedCache<PackedSession>(coherence, { maxEntries: 100 }),
      lists: new TrackedCache<string[]>(coherence, { maxEntries: 100 }),
      idKey: (id) => `sid:${id}`,
    });
    const users = new CachedUserRepository(sqlUsers.port, new TrackedCache<User>(coherence, { maxEntries: 100 }));
    const sessions = new SessionService({
      store,
      users,
      clock,
      policy: {
        idleTimeoutMs: 1_800_000,
        absoluteTimeoutMs: 43_200_000,
        rememberIdleTimeoutMs: 1_800_000,
        rememberAbsoluteTimeoutMs: 43_200_000,
      },
    });
    const created = await users.create({
      id: 'u1',
      email: 'odin@example.test',
      name: 'Odin',
      passwordHash: null,
      createdAt: 0,
    });
    if (!created.ok) throw new Error('setup');
    const { secret } = await sessions.create(created.user, { ip: '127.0.0.1', userAgent: '' }, PASSWORD);
    await sessions.validate(secret);
    const before = sqlSessions.calls() + sqlUsers.calls();
    for (let i = 0; i < 20; i++) expect((await sessions.validate(secret))?.user.roles).toEqual(['admin']);
    expect(sqlSessions.calls() + sqlUsers.calls()).toBe(before);

    // The other connection stands for another process (the CLI): a request that starts after its commit, i.e. in a
    // later task (data_version is read once per task), sees it.
    const nextTask = () => new Promise((resolve) => setImmediate(resolve));
    await new SqlUserRepository(other.db).setRoles('u1', ['admin', 'god'], 1);
    await nextTask();
    expect((await sessions.validate(secret))?.user.roles).toEqual(['admin', 'god']);
    await other.db.deleteFrom('sessions').execute();
    await nextTask();
    expect(await sessions.validate(secret)).toBeNull();
  });

  it("answers a user's held list with the sessions cached on their own (one object each), and a changed one as its own", async () => {
    const database = await open('shared.db');
    const coherence = new SqliteDataVersion(database.dataVersion!);
    const inner = new SqlSessionStore(database.db);
    const store = new CachedSessionStore(inner, {
      sessions: new TrackedCache<PackedSession>(coherence, { maxEntries: 100 }),
      lists: new TrackedCache<string[]>(coherence, { maxEntries: 100 }),
      idKey: (id) => `sid:${id}`,
    });
    await new SqlUserRepository(database.db).create({
      id: 'u2',
      email: 'frigg@example.test',
      name: 'Frigg',
      passwordHash: null,
      createdAt: 0,
    });
    const base: Session = {
      id: 'sid-a',
      tokenHash: 'hash-a',
      userId: 'u2',
      userVersion: 0,
      kind: 'cookie',
      createdAt: 1,
      lastSeenAt: 1,
      idleExpiresAt: Date.now() + 3_600_000,
      absoluteExpiresAt: Date.now() + 7_200_000,
      idleTimeoutMs: 1_800_000,
      rememberMe: false,
      ip: '127.0.0.1',
      userAgent: 'ua',
      browser: null,
      os: null,
      country: null,
      csrfToken: 'csrf-a',
      provider: null,
      authenticatedAt: 1,
      methods: ['password'],
      deviceKey: null,
    };
    await store.insert(base);
    await store.insert({ ...base, id: 'sid-b', tokenHash: 'hash-b', csrfToken: 'csrf-b' });

    // Session first, then the list: a list just read answers as read, the same records.
    const a = await store.findByTokenHash('hash-a');
    const listed = await store.listForUser('u2');
    expect(listed.find((s) => s.tokenHash === 'hash-a')).toEqual(a);
    // The list holds token hashes only: once held, it answers with the objects the sessions cache holds.
    const b = await store.findByTokenHash('hash-b');
    const again = await store.listForUser('u2');
    expect(again.find((s) => s.tokenHash === 'hash-b')).toBe(b);
    expect(again.find((s) => s.tokenHash === 'hash-a')).toBe(a);

    // A touch changes the record: what is read afterwards is the new record, not the old shared object.
    await store.touch('hash-b', { lastSeenAt: 5, idleExpiresAt: base.idleExpiresAt, ip: '10.0.0.9', country: null });
    const touched = await store.findByTokenHash('hash-b');
    expect(touched).not.toBe(b);
    expect(touched?.ip).toBe('10.0.0.9');
    expect((await store.listForUser('u2')).find((s) => s.tokenHash === 'hash-b')?.ip).toBe('10.0.0.9');
  });

  describe('with the heimdall CLI changing things from another process while the app runs', () => {
    let app: TestApp;
    const file = () => join(dir, 'cli.db');
    const env = () => ({
      ...process.env,
      DATABASE_URL: `sqlite:${file()}`,
      HEIMDALL_SECRET: 'test-secret-test-secret-test-secret-0123',
      LOG_LEVEL: 'silent',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_ITERATIONS: '1',
    });
    const cli = (...args: string[]) => execFileAsync(process.execPath, [CLI, ...args], { env: env(), timeout: 30_000 });

    beforeAll(async () => {
      app = await createTestApp({ DATABASE_URL: `sqlite:${file()}` });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('a role granted and taken away by `heimdall user roles` applies on the next request', async () => {
      await signedUpClient(app.app, 'admin@example.test');
      const odin = await signedUpClient(app.app, 'odin@example.test');
      expect((await odin.get('/api/demo/valhalla')).statusCode).toBe(403);
      expect((await odin.get('/api/demo/valhalla')).statusCode).toBe(403);
      await cli('user', 'roles', 'odin@example.test', 'god', 'user');
      expect((await odin.get('/api/demo/valhalla')).statusCode).toBe(200);
      await cli('user', 'roles', 'odin@example.test', 'user');
      expect((await odin.get('/api/demo/valhalla')).statusCode).toBe(403);
      expect((await odin.get('/api/session')).statusCode).toBe(200);
    });

    it('`heimdall sessions revoke` signs the user out of the running app on the next request', async () => {
      const thor = await signedUpClient(app.app, 'thor@example.test');
      expect((await thor.get('/api/session')).statusCode).toBe(200);
      await cli('sessions', 'revoke', '--user', 'thor@example.test');
      expect((await thor.get('/api/session')).statusCode).toBe(401);
    });
  });
});
