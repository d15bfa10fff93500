import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import { REDIS_TOPOLOGIES, TOPOLOGY_LABELS, useRedis } from '../helpers/redis-topologies.js';
import { SseClient } from '../helpers/sse-client.js';
import { createTestApp, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

/**
 * Two Heimdall instances over one database and one Redis: what an administrator does on one reaches the event
 * streams held by the other (Redis pub/sub, sharded on a cluster), and counts them (Redis presence).
 */
for (const topology of REDIS_TOPOLOGIES) {
  describe(`live push across instances (${TOPOLOGY_LABELS[topology]})`, () => {
    const redis = useRedis(topology);
    const dir = mkdtempSync(join(tmpdir(), 'heimdall-push-'));
    const apps: TestApp[] = [];
    const streams: SseClient[] = [];
    afterAll(async () => {
      for (const stream of streams) stream.close();
      for (const app of apps) await app.close();
      rmSync(dir, { recursive: true, force: true });
    });

    async function instance(): Promise<TestApp & { baseUrl: string }> {
      const env = { ...(await redis()).env, DATABASE_URL: `sqlite:${join(dir, 'heimdall.db')}` };
      const app = await createTestApp(env, { clock: new FakeClock(Date.now()) });
      apps.push(app);
      await app.app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.app.server.address();
      if (!address || typeof address === 'string') throw new Error('no port');
      return { ...app, baseUrl: `http://127.0.0.1:${address.port}` };
    }

    it('messages, role changes and revocations made on one instance reach streams held by another', async () => {
      const a = await instance();
      const b = await instance();
      await signedUpClient(a.app, `odin-${topology}@asgard.example`);
      const thor = await signedUpClient(a.app, `thor-${topology}@asgard.example`);
      const thorId = ((await thor.get('/api/session')).json() as { user: { id: string } }).user.id;
      const stream = await SseClient.open(a.baseUrl, { cookie: `__Host-heimdall=${thor.cookie}` });
      streams.push(stream);
      const admin = new TestClient(b.app);
      expect((await admin.login(`odin-${topology}@asgard.example`)).statusCode).toBe(200);

      const sent = await admin.request({
        method: 'POST',
        url: `/api/admin/users/${thorId}/messages`,
        payload: { text: 'From the other instance.' },
      });
      expect(sent.json()).toEqual({ delivered: 1 });
      expect((await stream.nextEvent('message')).data).toMatchObject({ text: 'From the other instance.' });

      await admin.request({ method: 'PUT', url: `/api/admin/users/${thorId}/roles`, payload: { roles: ['god'] } });
      expect((await stream.nextEvent('roles.changed')).data).toEqual({ roles: ['god'] });

      await admin.request({ method: 'DELETE', url: `/api/admin/users/${thorId}/sessions` });
      expect((await stream.nextEvent('session.revoked')).data).toEqual({ reason: 'admin' });
      await stream.ended;
      const deadline = Date.now() + 5_000;
      while (a.services.streams.stats().streams > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(a.services.streams.stats().streams).toBe(0);
      expect(await b.services.presence.count(thorId)).toBe(0);
    });
  });
}
