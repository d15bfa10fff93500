import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import { REDIS_TOPOLOGIES, type RedisUnderTest, TOPOLOGY_LABELS, useRedis } from '../helpers/redis-topologies.js';
import { createTestApp, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

const TRIALS = 200;

/** Commands Redis has executed (all nodes), except the heartbeat's PING and this probe's own INFO. */
async function redisCommandsServed(r: RedisUnderTest): Promise<number> {
  const servers = r.server ? [r.server] : r.cluster!.servers;
  let total = 0;
  for (const server of servers) {
    for (const line of (await server.cli('INFO', 'commandstats')).split('\n')) {
      const match = /^cmdstat_([a-z|]+):calls=(\d+)/.exec(line.trim());
      if (match && !['ping', 'info'].includes(match[1]!)) total += Number(match[2]);
    }
  }
  return total;
}

/**
 * Waits until the instance has read everything Redis sent it before now: any round trip on its tracking connections
 * (health pings every master on them) comes back after the invalidations queued ahead of it. Both instances live in
 * this one process here, and two TCP connections have no mutual order: without this, a push could still sit in the
 * kernel while the next inject() runs. Between real processes the client's own round trip is that margin
 * (multi-instance.test.ts asserts the very next request with no such wait).
 */
async function heardFromRedis(app: TestApp): Promise<void> {
  expect((await app.services.checkHealth()).ok).toBe(true);
}

/** A client of instance A replaying the cookie and CSRF token it got from instance B (no sticky sessions). */
function sameBrowserOn(app: TestApp, from: TestClient): TestClient {
  const client = new TestClient(app.app);
  client.cookie = from.cookie;
  client.csrfToken = from.csrfToken;
  return client;
}

for (const topology of REDIS_TOPOLOGIES) {
  describe(`two instances on one ${TOPOLOGY_LABELS[topology]} (in-process cache, client tracking)`, () => {
    const redis = useRedis(topology);
    let dir: string;
    let a: TestApp;
    let b: TestApp;
    let admin: TestClient;

    beforeAll(async () => {
      const r: RedisUnderTest = await redis();
      dir = mkdtempSync(join(tmpdir(), 'heimdall-coherence-'));
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

    it('a session made on A is accepted on B, and both serve it from memory after the first read', async () => {
      const onA = await signedUpClient(a.app, `cross-${topology}@example.test`);
      const onB = sameBrowserOn(b, onA);
      for (let i = 0; i < 3; i++) {
        expect((await onA.get('/api/session')).statusCode).toBe(200);
        expect((await onB.get('/api/session')).statusCode).toBe(200);
      }
      expect((await b.services.checkHealth()).checks).toMatchObject({ sessions: 'ok', database: 'ok' });
    });

    it('an authenticated read makes no Redis round trip once the session and user are cached', async () => {
      const client = await signedUpClient(a.app, `hot-${topology}@example.test`);
      expect((await client.get('/api/session')).statusCode).toBe(200);
      const before = await redisCommandsServed(await redis());
      const hitsBefore = a.services.cacheStats().sessions!.hits;
      for (let i = 0; i < 50; i++) expect((await client.get('/api/session')).statusCode).toBe(200);
      expect(await redisCommandsServed(await redis())).toBe(before);
      expect(a.services.cacheStats().sessions!.hits - hitsBefore).toBe(50);
    });

    it(`a session signed out on B is refused on A once A has heard from Redis (${TRIALS} trials, zero stale)`, async () => {
      const email = `revoke-${topology}@example.test`;
      await signedUpClient(a.app, email);
      let stale = 0;
      for (let trial = 0; trial < TRIALS; trial++) {
        const onA = new TestClient(a.app);
        expect((await onA.login(email)).statusCode).toBe(200);
        const onB = sameBrowserOn(b, onA);
        // Both instances now hold the session in memory, tracked by Redis.
        expect((await onA.get('/api/session')).statusCode).toBe(200);
        expect((await onB.get('/api/session')).statusCode).toBe(200);
        expect((await onB.request({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
        await heardFromRedis(a);
        const next = await onA.get('/api/session');
        if (next.statusCode !== 401) stale++;
      }
      expect(stale).toBe(0);
    });

    it('a demotion made on A bites on B (once B has heard from Redis), without signing the user out', async () => {
      const user = await signedUpClient(a.app, `odin-${topology}@example.test`);
      const userId = (await user.get('/api/session')).json().user.id as string;
      const onB = sameBrowserOn(b, user);
      for (let trial = 0; trial < 20; trial++) {
        const promote = await admin.request({
          method: 'PUT',
          url: `/api/admin/users/${userId}/roles`,
          payload: { roles: ['god', 'user'] },
        });
        expect(promote.statusCode).toBe(200);
        await heardFromRedis(b);
        expect((await onB.get('/api/demo/valhalla')).statusCode).toBe(200);
        await admin.request({ method: 'PUT', url: `/api/admin/users/${userId}/roles`, payload: { roles: ['user'] } });
        await heardFromRedis(b);
        expect((await onB.get('/api/demo/valhalla')).statusCode).toBe(403);
      }
      expect((await onB.get('/api/session')).statusCode).toBe(200);
    });

    it('a user record this instance filled itself is still invalidated by a change made elsewhere (regression: NOLOOP untracked own writes)', async () => {
      const user = await signedUpClient(a.app, `filled-${topology}@example.test`);
      const userId = (await user.get('/api/session')).json().user.id as string;
      // A filled hd:u:{id} itself (SET NX), so only its read-back keeps the key tracked for A.
      expect((await user.get('/api/demo/valhalla')).statusCode).toBe(403);
      const granted = await b.services.users.setRoles(userId, ['god']);
      expect(granted.ok).toBe(true);
      await heardFromRedis(a);
      expect((await user.get('/api/demo/valhalla')).statusCode).toBe(200);
    });

    it("A's device list (cached) shows sessions signed in and out on B", async () => {
      const email = `devices-${topology}@example.test`;
      const onA = await signedUpClient(a.app, email);
      const count = async () => {
        await heardFromRedis(a);
        return ((await onA.get('/api/sessions')).json().sessions as unknown[]).length;
      };
      expect(await count()).toBe(1);
      expect(await count()).toBe(1);
      const onB = new TestClient(b.app);
      await onB.login(email);
      expect(await count()).toBe(2);
      await onB.request({ method: 'POST', url: '/api/auth/logout' });
      expect(await count()).toBe(1);
    });

    it('sign-in limits count failures across instances (rate-limiter counters in Redis)', async () => {
      const email = `limited-${topology}@example.test`;
      await signedUpClient(a.app, email);
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 8; attempt++) {
        const app = attempt % 2 ? b : a;
        statuses.push((await new TestClient(app.app).login(email, 'not the password at all')).statusCode);
      }
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toContain(429);
    });

    it('signing out everywhere on A ends every session of the user on B', async () => {
      const email = `everywhere-${topology}@example.test`;
      const first = await signedUpClient(a.app, email);
      const devices = [sameBrowserOn(b, first)];
      for (let i = 0; i < 3; i++) {
        const other = new TestClient(b.app);
        await other.login(email);
        devices.push(other);
      }
      for (const device of devices) expect((await device.get('/api/session')).statusCode).toBe(200);
      expect((await first.request({ method: 'POST', url: '/api/auth/logout-everywhere' })).statusCode).toBe(204);
      await heardFromRedis(b);
      for (const device of devices) expect((await device.get('/api/session')).statusCode).toBe(401);
    });
  });
}
