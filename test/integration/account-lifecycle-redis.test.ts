import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_USER, userKey } from '../../src/stores/redis/redis-user-cache.js';
import { ApiClient } from '../helpers/api-client.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { REDIS_TOPOLOGIES, type RedisUnderTest, TOPOLOGY_LABELS, useRedis } from '../helpers/redis-topologies.js';
import { createTestApp, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

/** Waits until the instance has read everything Redis sent it before now (see redis-coherence.test.ts). */
async function heardFromRedis(app: TestApp): Promise<void> {
  expect((await app.services.checkHealth()).ok).toBe(true);
}

for (const topology of REDIS_TOPOLOGIES) {
  describe(`disabling and deleting across two instances on one ${TOPOLOGY_LABELS[topology]}`, () => {
    const redis = useRedis(topology);
    let r: RedisUnderTest;
    let dir: string;
    let a: TestApp;
    let b: TestApp;
    let admin: TestClient;

    beforeAll(async () => {
      r = await redis();
      dir = mkdtempSync(join(tmpdir(), 'heimdall-lifecycle-redis-'));
      const env = { DATABASE_URL: `sqlite:${join(dir, 'heimdall.db')}`, REDIS_HEARTBEAT_MS: '100', ...r.env };
      a = await createTestApp(env, { clock: new FakeClock(Date.now()) });
      b = await createTestApp(env, { clock: new FakeClock(Date.now()) });
      admin = await signedUpClient(a.app, `admin-${topology}@example.test`);
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** A user signed in on B with a cookie and an API token family, both held in B's memory. */
    async function userOnB(email: string) {
      const browser = await signedUpClient(b.app, email);
      const cli = new ApiClient(b.app);
      expect((await cli.signIn(email)).statusCode).toBe(200);
      for (let i = 0; i < 2; i++) {
        expect((await browser.get('/api/session')).statusCode).toBe(200);
        expect((await cli.get('/api/session')).statusCode).toBe(200);
      }
      const id = (await browser.get('/api/session')).json().user.id as string;
      return { browser, cli, id };
    }

    it('a disable on A ends the user’s cookie sessions and token families on B at once, Redis copies included', async () => {
      const email = `disabled-${topology}@example.test`;
      const { browser, cli, id } = await userOnB(email);
      expect((await admin.request({ method: 'POST', url: `/api/admin/users/${id}/disable` })).statusCode).toBe(200);
      await heardFromRedis(b);
      expect((await browser.get('/api/session')).statusCode).toBe(401);
      expect((await cli.get('/api/session')).statusCode).toBe(401);
      expect((await cli.refresh()).statusCode).toBe(401);
      // The shared copy every instance reads says so too: no instance waits out REDIS_USER_CACHE_TTL.
      const connection = await r.connect();
      expect(JSON.parse(String(await connection.commands.get(userKey(id))))).toMatchObject({ disabled: true });
      expect((await new TestClient(b.app).login(email)).statusCode).toBe(403);

      expect((await admin.request({ method: 'POST', url: `/api/admin/users/${id}/enable` })).statusCode).toBe(200);
      await heardFromRedis(b);
      expect((await browser.get('/api/session')).statusCode).toBe(401);
      expect((await new TestClient(b.app).login(email)).statusCode).toBe(200);
    });

    it('a deletion on A ends the user’s sessions on B and leaves no session or user data in Redis', async () => {
      const email = `deleted-${topology}@example.test`;
      const { browser, cli, id } = await userOnB(email);
      expect((await admin.request({ method: 'DELETE', url: `/api/admin/users/${id}` })).statusCode).toBe(204);
      await heardFromRedis(b);
      expect((await browser.get('/api/session')).statusCode).toBe(401);
      expect((await cli.get('/api/session')).statusCode).toBe(401);
      expect(await b.services.sessions.list(id)).toEqual([]);
      const connection = await r.connect();
      // Only the marker that refuses a late fill of the deleted record, for at most the copies' lifetime.
      expect(await connection.commands.get(userKey(id))).toBe(NO_USER);
      const ttl = await connection.commands.eval("return redis.call('PTTL', KEYS[1])", {
        keys: [userKey(id)],
        arguments: [],
      });
      expect(ttl).toBeGreaterThan(0);
      expect((await new TestClient(b.app).login(email)).statusCode).toBe(401);
    });
  });
}
