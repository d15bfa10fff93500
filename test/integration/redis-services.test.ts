import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServices, type Services } from '../../src/app/build-services.js';
import type { PushEvent } from '../../src/core/events.js';
import { ApiClient } from '../helpers/api-client.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { waitFor } from '../helpers/free-port.js';
import { useRedis } from '../helpers/redis-topologies.js';
import { createTestApp, signedUpClient } from '../helpers/test-app.js';
import { testConfig } from '../helpers/test-config.js';

describe('services wired for Redis', () => {
  const redis = useRedis('single');
  const opened: Services[] = [];
  afterAll(async () => {
    for (const services of opened) await services.close();
  });

  async function services(env: Record<string, string> = {}) {
    const built = await buildServices(testConfig({ ...(await redis()).env, ...env }), {
      clock: new FakeClock(Date.now()),
    });
    opened.push(built);
    return built;
  }

  it('REDIS_URL puts sessions in Redis, says so at start-up, and checks it in health as the session store', async () => {
    const built = await services();
    expect(built.storesDescription).toMatch(/sessions in redis 127\.0\.0\.1:\d+ \(in-process cache with RESP3/);
    expect(await built.checkHealth()).toEqual({ ok: true, checks: { database: 'ok', sessions: 'ok' } });
  });

  it('exposes a Redis event bus and stream registry shared by every instance', async () => {
    const a = await services();
    const b = await services();
    const received: PushEvent[] = [];
    b.events.subscribe((event) => received.push(event));
    await a.events.publish({ type: 'roles.changed', userId: 'u1', data: { roles: ['god'] } });
    await waitFor('the event on the other instance', () => (received.length === 1 ? true : undefined));
    await a.presence.add('u1', 'stream-a');
    expect(await b.presence.count('u1')).toBe(1);
  });

  it('REDIS_CLIENT_CACHE=false reads Redis on every request and still works end to end', async () => {
    const app = await createTestApp(
      { ...(await redis()).env, REDIS_CLIENT_CACHE: 'false' },
      {
        clock: new FakeClock(Date.now()),
      },
    );
    try {
      expect(app.services.storesDescription).toContain('no in-process cache');
      const client = await signedUpClient(app.app, 'nocache@example.test');
      expect((await client.get('/api/session')).statusCode).toBe(200);
      expect((await client.request({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
      expect((await client.get('/api/session')).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('the shared user copy in Redis never holds the password hash, and password changes still verify', async () => {
    const under = await redis();
    const app = await createTestApp(under.env, { clock: new FakeClock(Date.now()) });
    try {
      const client = await signedUpClient(app.app, 'hashless@example.test');
      const { user } = (await client.get('/api/session')).json() as { user: { id: string } };
      const copy = await under.server!.cli('GET', `hd:u:{${user.id}}`);
      expect(copy).toContain('hashless@example.test');
      expect(copy).not.toContain('$argon2id$');
      const change = await client.request({
        method: 'POST',
        url: '/api/auth/password',
        payload: { currentPassword: 'correct horse battery staple', newPassword: 'another fine passphrase' },
      });
      expect(change.statusCode).toBe(200);
      expect(await under.server!.cli('GET', `hd:u:{${user.id}}`)).not.toContain('$argon2id$');
    } finally {
      await app.close();
    }
  });

  it('an API token family revoked on one instance is refused by another at once, through the bus, with no sync', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heimdall-bus-deny-'));
    const env = { ...(await redis()).env, DATABASE_URL: `sqlite:${join(dir, 'heimdall.db')}` };
    const first = await createTestApp(env, { clock: new FakeClock(Date.now()) });
    const second = await createTestApp(env, { clock: new FakeClock(Date.now()) });
    try {
      await signedUpClient(first.app, 'bus@example.test');
      const onFirst = new ApiClient(first.app);
      await onFirst.signIn('bus@example.test');
      const onSecond = new ApiClient(second.app);
      onSecond.accessToken = onFirst.accessToken;
      expect((await onSecond.get('/api/session')).statusCode).toBe(200);
      expect((await onFirst.revoke()).statusCode).toBe(204);
      // No denyList.sync() anywhere: only the announcement can tell the second instance.
      await waitFor('the second instance to refuse the access token', async () =>
        (await onSecond.get('/api/session')).statusCode === 401 ? true : undefined,
      );
    } finally {
      await first.close();
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without Redis the embedded default keeps sessions in SQL behind the data_version cache', async () => {
    const built = await buildServices(testConfig(), { clock: new FakeClock() });
    opened.push(built);
    expect(built.storesDescription).toBe(
      'users in sqlite (in memory), sessions in sqlite (in-process cache checked against PRAGMA data_version)',
    );
    expect(built.events.constructor.name).toBe('LocalEventBus');
  });
});
