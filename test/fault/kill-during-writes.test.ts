import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeimdallProcess, startHeimdallProcess } from '../helpers/heimdall-process.js';
import { call, sessionFrom } from './http-calls.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a completely different passphrase';

describe('kill -9 during writes (real server processes, SQLite file)', () => {
  let dir: string;
  let env: Record<string, string>;
  let running: HeimdallProcess | null = null;
  const server = {
    url: '',
    async start() {
      running = await startHeimdallProcess(env, dir);
      server.url = running.url;
    },
    /** kill -9: no shutdown hooks, no flushing, as a power cut is for the process. */
    async kill() {
      await running?.stop('SIGKILL');
      running = null;
    },
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'heimdall-fault-'));
    env = {
      DATABASE_URL: `sqlite:${join(dir, 'heimdall.db')}`,
      HEIMDALL_DATA_DIR: dir,
      HEIMDALL_SECRET: 'fault-test-secret-fault-test-secret-0123',
      // Slow enough hashing that the kill lands inside requests, not between them.
      ARGON2_MEMORY_KIB: '32768',
      ARGON2_ITERATIONS: '3',
      REGISTER_LIMIT_IP: '10000',
      LOGIN_LIMIT_IP: '10000',
      HOST: '127.0.0.1',
    };
  });
  afterAll(async () => {
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registrations cut short by kill -9 leave no half-made account: every stored user is whole and can sign in', async () => {
    const attempted: string[] = [];
    const confirmed: string[] = [];
    for (let round = 0; round < 4; round++) {
      await server.start();
      const emails = Array.from({ length: 6 }, (_, i) => `r${round}u${i}@asgard.example`);
      attempted.push(...emails);
      const inFlight = emails.map(async (email) => {
        const answer = await call(server.url, 'POST', '/api/auth/register', { email, password: PASSWORD });
        if (answer?.status === 201) confirmed.push(email);
        return answer;
      });
      // Kill as soon as the first registration is confirmed, while the others are still hashing or writing: the
      // cut lands inside requests however fast or loaded the machine is.
      await Promise.race(inFlight);
      await server.kill();
      await Promise.all(inFlight);
    }

    const db = new SQLite(join(dir, 'heimdall.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const users = db.prepare('select id, email, roles, password_hash, session_version from users').all() as {
      id: string;
      email: string;
      roles: string;
      password_hash: string;
      session_version: number;
    }[];
    const admins = users.filter((u) => (JSON.parse(u.roles) as string[]).includes('admin'));
    const firstUser = db.prepare("select value from app_meta where key = 'first_user'").get() as
      | { value: string }
      | undefined;
    const orphanSessions = db
      .prepare(
        'select count(*) as n from sessions s left join users u on u.id = s.user_id where u.id is null or s.user_version != u.session_version',
      )
      .get() as { n: number };
    db.close();

    // Every confirmed account was kept; none exists that was not asked for.
    expect(confirmed.length).toBeGreaterThan(0);
    for (const email of confirmed) expect(users.map((u) => u.email)).toContain(email);
    expect(admins.map((u) => u.id)).toEqual([firstUser?.value]);
    expect(orphanSessions.n).toBe(0);
    for (const user of users) {
      expect(attempted).toContain(user.email);
      expect(user.password_hash).toMatch(/^\$argon2id\$/);
      expect(JSON.parse(user.roles)).toBeInstanceOf(Array);
    }
    await server.start();
    for (const user of users)
      expect(
        (await call(server.url, 'POST', '/api/auth/login', { email: user.email, password: PASSWORD }))?.status,
      ).toBe(200);
    await server.kill();
  }, 120_000);

  it('a password change cut short by kill -9 never leaves the new password with the other sessions still alive', async () => {
    const outcomes = { committed: 0, notCommitted: 0 };
    for (let round = 0; round < 6; round++) {
      await server.start();
      const email = `pw${round}@asgard.example`;
      const laptop = sessionFrom(await call(server.url, 'POST', '/api/auth/register', { email, password: PASSWORD }));
      const phone = sessionFrom(await call(server.url, 'POST', '/api/auth/login', { email, password: PASSWORD }));
      const change = call(
        server.url,
        'POST',
        '/api/auth/password',
        { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
        laptop,
      );
      await new Promise((resolve) => setTimeout(resolve, 10 + round * 45));
      await server.kill();
      await change;

      await server.start();
      const withNew = await call(server.url, 'POST', '/api/auth/login', { email, password: NEW_PASSWORD });
      const phoneNow = await call(server.url, 'GET', '/api/session', undefined, phone);
      const laptopNow = await call(server.url, 'GET', '/api/session', undefined, laptop);
      if (withNew?.status === 200) {
        outcomes.committed++;
        // The new password exists, so every session from before the change must be dead.
        expect(phoneNow?.status).toBe(401);
        expect(laptopNow?.status).toBe(401);
        expect((await call(server.url, 'POST', '/api/auth/login', { email, password: PASSWORD }))?.status).toBe(401);
      } else {
        outcomes.notCommitted++;
        expect(withNew?.status).toBe(401);
        expect((await call(server.url, 'POST', '/api/auth/login', { email, password: PASSWORD }))?.status).toBe(200);
      }
      await server.kill();
    }
    expect(outcomes.committed + outcomes.notCommitted).toBe(6);
    console.log(`password change under kill -9: ${outcomes.committed} committed, ${outcomes.notCommitted} not`);
  }, 180_000);
});
