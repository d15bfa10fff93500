import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DbscDevice, refreshChallenge, registrationChallenge } from '../helpers/dbsc-client.js';
import { signProof } from '../helpers/dbsc-keys.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { REDIS_TOPOLOGIES, TOPOLOGY_LABELS, useRedis } from '../helpers/redis-topologies.js';
import { createTestApp, type TestApp, TestClient } from '../helpers/test-app.js';

/**
 * Two instances over one database and one Redis (or Redis Cluster): a session bound on one is bound on the other,
 * a refresh challenged by one is answered on the other, and ending the session on one ends the binding on both.
 */
for (const topology of REDIS_TOPOLOGIES) {
  describe(`device-bound sessions across instances (${TOPOLOGY_LABELS[topology]})`, () => {
    const redis = useRedis(topology);
    const dir = mkdtempSync(join(tmpdir(), 'heimdall-dbsc-'));
    const apps: TestApp[] = [];
    afterAll(async () => {
      for (const app of apps) await app.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function instance(): Promise<TestApp> {
      const env = { ...(await redis()).env, DATABASE_URL: `sqlite:${join(dir, 'heimdall.db')}` };
      // Near the wall clock: Redis expires session keys by real time.
      const app = await createTestApp(env, { clock: new FakeClock(Date.now()) });
      apps.push(app);
      return app;
    }

    it('binds on one instance, refreshes across both, and ends on both', async () => {
      const [a, b] = [await instance(), await instance()];
      const email = `odin-${topology}@asgard.example`;
      const onA = new TestClient(a.app);
      await onA.register(email);
      const login = await onA.login(email);
      const sessionId = login.json().session.id as string;
      const deviceA = await DbscDevice.for(onA);
      expect((await deviceA.register(registrationChallenge(login)!)).statusCode).toBe(200);

      const onB = new TestClient(b.app);
      onB.cookie = onA.cookie;
      const deviceB = await DbscDevice.for(onB, deviceA.key);
      deviceB.bound = deviceA.bound;
      expect((await deviceB.get('/api/session')).json().session).toMatchObject({ id: sessionId, deviceBound: true });
      b.clock.advance(10_000);
      expect((await onB.get('/api/session')).statusCode).toBe(401);

      // Challenged by A, answered on B: the challenge store is shared.
      const challenge = refreshChallenge(await deviceA.refreshWith(sessionId))!;
      const proof = await signProof(deviceA.key, challenge.challenge, { withJwk: false });
      deviceB.bound = null;
      expect((await deviceB.refreshWith(sessionId, proof)).statusCode).toBe(200);
      expect((await deviceB.get('/api/session')).statusCode).toBe(200);
      // Single use across instances too.
      expect((await deviceA.refreshWith(sessionId, proof)).statusCode).toBe(403);

      const out = await onA.request({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie: deviceA.cookies() },
      });
      expect(out.statusCode).toBe(204);
      expect((await deviceB.get('/api/session')).statusCode).toBe(401);
      expect((await deviceB.refreshWith(sessionId)).statusCode).toBe(401);
    });
  });
}
