import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import { useRedis } from '../helpers/redis-topologies.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const METRICS_TOKEN = 'metrics-token-metrics-token-metrics-token';

/**
 * What an anonymous caller learns about the deployment: probes and the API description are public, so they say
 * whether Heimdall can serve, never which stores stand behind it (outside security review, issue 15, finding 6).
 * Operators see the details with the metrics token.
 */
describe('/api/health, /api/ready and /api/openapi.json name no backing store to the public (ASVS 13.4.5, 13.4.6)', () => {
  const redis = useRedis('single');
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  async function deployments() {
    const r = await redis();
    const sqlite = await createTestApp({ METRICS_TOKEN });
    const onRedis = await createTestApp({ METRICS_TOKEN, ...r.env }, { clock: new FakeClock(Date.now()) });
    apps.push(sqlite, onRedis);
    return { sqlite, onRedis };
  }

  it('the probes answer the same check names whatever the stores, with no store in them', async () => {
    const { sqlite, onRedis } = await deployments();
    for (const url of ['/api/health', '/api/ready']) {
      const a = await sqlite.app.inject({ method: 'GET', url });
      const b = await onRedis.app.inject({ method: 'GET', url });
      expect(a.statusCode).toBe(200);
      expect(b.statusCode).toBe(200);
      expect(b.json()).toEqual(a.json());
      expect(b.body).not.toMatch(/redis|sqlite|postgres|memory|:\d{2,5}/i);
      expect(Object.keys(a.json().checks)).toEqual(
        url === '/api/ready' ? ['database', 'sessions', 'migrations'] : ['database', 'sessions'],
      );
    }
  });

  it('with the metrics token, the probes also say which stores they checked', async () => {
    const { onRedis } = await deployments();
    for (const url of ['/api/health', '/api/ready']) {
      const wrong = await onRedis.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer nope' } });
      expect(wrong.json().details).toBeUndefined();
      const operator = await onRedis.app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(operator.json().details.stores).toMatch(/users in sqlite .*sessions in redis 127\.0\.0\.1:\d+/);
    }
  });

  it('the OpenAPI document is the same for a deployment on SQLite and one on Redis', async () => {
    const { sqlite, onRedis } = await deployments();
    const a = await sqlite.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const b = await onRedis.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(a.statusCode).toBe(200);
    expect(b.body).toBe(a.body);
    expect(a.body).not.toMatch(/redis|sqlite|postgres/i);
  });
});
