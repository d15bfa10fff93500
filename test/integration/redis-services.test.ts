import { afterAll, describe, expect, it } from 'vitest';
import type { PushEvent } from '../../src/core/events.js';
import { buildServices, type Services } from '../../src/services.js';
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

  it('REDIS_URL puts sessions in Redis, says so at start-up, and checks Redis in health', async () => {
    const built = await services();
    expect(built.storesDescription).toMatch(/sessions in redis 127\.0\.0\.1:\d+ \(in-process cache with RESP3/);
    expect(await built.checkHealth()).toEqual({ ok: true, checks: { database: 'ok', redis: 'ok' } });
  });

  it('exposes a Redis event bus and stream registry shared by every instance', async () => {
    const a = await services();
    const b = await services();
    const received: PushEvent[] = [];
    b.eventBus!.subscribe((event) => received.push(event));
    await a.eventBus!.publish({ type: 'roles.changed', userId: 'u1', data: { roles: ['god'] } });
    await waitFor('the event on the other instance', () => (received.length === 1 ? true : undefined));
    await a.streamPresence!.add('u1', 'stream-a');
    expect(await b.streamPresence!.count('u1')).toBe(1);
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

  it('without Redis the embedded default keeps sessions in SQL behind the data_version cache', async () => {
    const built = await buildServices(testConfig(), { clock: new FakeClock() });
    opened.push(built);
    expect(built.storesDescription).toBe(
      'users in sqlite (in memory), sessions in sqlite (in-process cache checked against PRAGMA data_version)',
    );
    expect(built.eventBus).toBeUndefined();
  });
});
