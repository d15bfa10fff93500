import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userKey } from '../../src/stores/redis/redis-user-cache.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { waitFor } from '../helpers/free-port.js';
import { CLI, startHeimdallProcess, tempDir } from '../helpers/heimdall-process.js';
import { HttpClient } from '../helpers/http-client.js';
import { RedisServer } from '../helpers/redis-server.js';
import { createTestApp, signedUpClient, type TestApp, type TestClient } from '../helpers/test-app.js';

const execFileAsync = promisify(execFile);
const SECRET = 'test-secret-test-secret-test-secret-0123';

/**
 * Roles, the disabled flag and the session version are read from copies (each instance's memory, and `hd:u:{id}`
 * in Redis). Changes made through Heimdall — API or CLI — go through the copies; a change made behind Heimdall's
 * back (SQL) must still reach every instance within a stated bound (outside security review, issue 15, finding 4).
 */
describe('with Redis, user copies are never stale for long (ASVS 8.3.2)', () => {
  const dir = tempDir('heimdall-stale-');
  let redis: RedisServer;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    // DEBUG lets a test switch Redis' active expiry off, as a keyspace too large for its sampler effectively does.
    redis = await RedisServer.start({ extraArgs: ['--enable-debug-command', 'yes'] });
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await redis?.stop();
    dir.remove();
  });

  async function instance(name: string, env: Record<string, string> = {}): Promise<TestApp> {
    const app = await createTestApp(
      {
        DATABASE_URL: `sqlite:${join(dir.dir, `${name}.db`)}`,
        REDIS_URL: redis.url,
        REDIS_HEARTBEAT_MS: '100',
        ...env,
      },
      { clock: new FakeClock(Date.now()) },
    );
    apps.push(app);
    return app;
  }

  const userIdOf = async (client: TestClient) => (await client.get('/api/session')).json().user.id as string;

  it('by default a shared user copy lives at most 60 s (was 15 min)', async () => {
    const t = await instance('default-ttl');
    const odin = await signedUpClient(t.app, 'odin@asgard.example');
    const userId = await userIdOf(odin);
    const ttl = Number(await redis.cli('PTTL', userKey(userId)));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('a role granted directly in SQL reaches a caching instance once REDIS_USER_CACHE_TTL has passed, even when Redis never announces the expiry', async () => {
    const t = await instance('direct-sql', { REDIS_USER_CACHE_TTL: '1s' });
    const thor = await signedUpClient(t.app, 'thor@asgard.example');
    const userId = await userIdOf(thor);
    await redis.cli('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    try {
      // The instance now holds the user in memory, and Redis holds the shared copy (1 s).
      expect((await thor.get('/api/demo/valhalla')).statusCode).toBe(403);
      const cachedAt = Date.now();
      const copyExpiresAt = Number(await redis.cli('PEXPIRETIME', userKey(userId)));
      expect(copyExpiresAt).toBeGreaterThan(0);
      const db = new SQLite(join(dir.dir, 'direct-sql.db'));
      db.prepare(`update users set roles = '["god","user"]' where id = ?`).run(userId);
      db.close();
      // Redis keeps time by the wall clock, so this waits (about a second) for the copy's expiry by Redis' own clock
      // and for the in-process entry's age, without touching the key (a read would make Redis announce it).
      await waitFor('the 1 s copies to age out', async () => {
        const [seconds, micros] = (await redis.cli('TIME')).split('\n').map(Number);
        const redisNow = seconds! * 1000 + Math.floor(micros! / 1000);
        return redisNow > copyExpiresAt && Date.now() > cachedAt + 1_000 ? true : undefined;
      });
      expect((await thor.get('/api/demo/valhalla')).statusCode).toBe(200);
    } finally {
      await redis.cli('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
  });

  it('a role change and a sign-out everywhere made through a second instance reach the first one’s in-process and Redis copies', async () => {
    const a = await instance('two');
    const b = await instance('two');
    const frigg = await signedUpClient(a.app, 'frigg@asgard.example');
    const userId = await userIdOf(frigg);
    expect((await frigg.get('/api/demo/valhalla')).statusCode).toBe(403);
    // The first account is the admin; it stays one.
    expect((await b.services.users.setRoles(userId, ['admin', 'god'])).ok).toBe(true);
    // One round trip on A's own connection reads the invalidation that Redis queued before it (same process).
    expect((await a.services.checkHealth()).ok).toBe(true);
    expect((await frigg.get('/api/demo/valhalla')).statusCode).toBe(200);
    await b.services.sessions.revokeAll(userId, { by: 'admin', actorId: null });
    expect((await a.services.checkHealth()).ok).toBe(true);
    expect((await frigg.get('/api/session')).statusCode).toBe(401);
  });

  it('a role change made with the heimdall CLI bites on the next request of a running Redis-backed server', async () => {
    const env = {
      DATABASE_URL: `sqlite:${join(dir.dir, 'process.db')}`,
      REDIS_URL: redis.url,
      HEIMDALL_SECRET: SECRET,
    };
    const work = tempDir('heimdall-stale-process-');
    const server = await startHeimdallProcess({ ...env, HEIMDALL_GEOIP: 'false' }, work.dir);
    const cli = (...args: string[]) =>
      execFileAsync(process.execPath, [CLI, ...args], {
        env: { PATH: process.env.PATH ?? '', ...env },
        timeout: 30_000,
      });
    try {
      expect((await new HttpClient().register(server.url, 'odin@asgard.example')).status).toBe(201);
      const baldr = new HttpClient();
      expect((await baldr.register(server.url, 'baldr@asgard.example')).status).toBe(201);
      // Cached in the server's memory and in Redis from here on.
      expect((await baldr.get(server.url, '/api/demo/valhalla')).status).toBe(403);
      await cli('user', 'roles', 'baldr@asgard.example', 'god', 'user');
      expect((await baldr.get(server.url, '/api/demo/valhalla')).status).toBe(200);
      await cli('user', 'roles', 'baldr@asgard.example', 'user');
      expect((await baldr.get(server.url, '/api/demo/valhalla')).status).toBe(403);
      expect((await baldr.get(server.url, '/api/session')).status).toBe(200);
    } finally {
      await server.stop();
      work.remove();
    }
  }, 90_000);
});
