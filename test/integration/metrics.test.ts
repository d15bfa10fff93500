import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { createTestApp, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

const TOKEN = 'metrics-token-metrics-token-metrics-token';

/** The value of one sample in Prometheus text format, e.g. sample(text, 'heimdall_logins_total', { result: 'ok' }). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('metrics at /metrics', () => {
  it('are off by default: no route, no hook', async () => {
    const t = await createTestApp();
    try {
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });

  describe('with METRICS_TOKEN set', () => {
    let t: TestApp;
    const scrape = async () => {
      const response = await t.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.statusCode).toBe(200);
      return response.body;
    };

    beforeAll(async () => {
      t = await createTestApp({ METRICS_TOKEN: TOKEN, LOGIN_LIMIT_ACCOUNT_IP: '1' });
      const admin = await signedUpClient(t.app, 'borr@asgard.example');
      const odin = await signedUpClient(t.app, 'odin@asgard.example');
      await odin.get('/api/session');
      await t.app.inject({ method: 'GET', url: '/api/session' });
      // No route at all (GETs for pages fall back to the web app's route, `/*`).
      await t.app.inject({ method: 'DELETE', url: '/api/no/such/route/with-a-secret-in-it' });
      const phone = new TestClient(t.app);
      await phone.login('odin@asgard.example');
      for (let i = 0; i < 3; i++) await new TestClient(t.app).login('odin@asgard.example', 'wrong password, again');
      await new ApiClient(t.app).signIn('borr@asgard.example');
      await phone.request({ method: 'POST', url: '/api/auth/logout' });
      const odinId = (await odin.get('/api/session')).json().user.id;
      await admin.request({ method: 'DELETE', url: `/api/admin/users/${odinId}/sessions` });
    });

    afterAll(async () => {
      await t.close();
    });

    it('refuses a scrape without the token, or with another one', async () => {
      for (const headers of [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: TOKEN }]) {
        const response = await t.app.inject({ method: 'GET', url: '/metrics', headers });
        expect(response.statusCode).toBe(401);
        expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    });

    it('serves the Prometheus text format with process metrics', async () => {
      const response = await t.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(sample(response.body, 'heimdall_process_resident_memory_bytes')).toBeGreaterThan(0);
    });

    it('counts requests by method, route template and status, never by raw URL', async () => {
      const text = await scrape();
      const count = (route: string, status: string) =>
        sample(text, 'heimdall_http_request_duration_seconds_count', { method: 'GET', route, status });
      expect(count('/api/session', '200')).toBe(2);
      expect(count('/api/session', '401')).toBe(1);
      expect(sample(text, 'heimdall_http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBe(
        1,
      );
      expect(text).not.toContain('with-a-secret-in-it');
      expect(text).toContain(
        'heimdall_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/session",status="200"}',
      );
    });

    it('counts sign-ins by result, rate-limited requests, revocations by who, and security events', async () => {
      const text = await scrape();
      // Two registrations sign in without an auth.login event; the phone and the token grant do.
      expect(sample(text, 'heimdall_logins_total', { result: 'ok' })).toBe(2);
      expect(sample(text, 'heimdall_logins_total', { result: 'failed' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'heimdall_rate_limited_requests_total', { route: '/api/auth/login' })).toBeGreaterThanOrEqual(
        1,
      );
      expect(sample(text, 'heimdall_session_revocations_total', { by: 'logout' })).toBe(1);
      // Odin's remaining session, signed out everywhere by the admin.
      expect(sample(text, 'heimdall_session_revocations_total', { by: 'admin' })).toBe(1);
      expect(sample(text, 'heimdall_security_events_total', { type: 'auth.register' })).toBe(2);
    });

    it('reports live sessions by kind at scrape time', async () => {
      const text = await scrape();
      // Borr's cookie session and his API token family; Odin has none left.
      expect(sample(text, 'heimdall_sessions_live', { kind: 'cookie' })).toBe(1);
      expect(sample(text, 'heimdall_sessions_live', { kind: 'api' })).toBe(1);
    });

    it('reads cache and event-stream counts from the hooks other parts connect', async () => {
      t.services.metrics.observeCaches(() => ({
        sessions: { entries: 3, hits: 90, misses: 10, invalidations: 4, flushes: 1 },
      }));
      t.services.metrics.observeEventStreams(() => 7);
      const text = await scrape();
      expect(sample(text, 'heimdall_cache_hits_total', { cache: 'sessions' })).toBe(90);
      expect(sample(text, 'heimdall_cache_misses_total', { cache: 'sessions' })).toBe(10);
      expect(sample(text, 'heimdall_cache_invalidations_total', { cache: 'sessions' })).toBe(4);
      expect(sample(text, 'heimdall_cache_flushes_total', { cache: 'sessions' })).toBe(1);
      expect(sample(text, 'heimdall_cache_entries', { cache: 'sessions' })).toBe(3);
      expect(sample(text, 'heimdall_event_streams')).toBe(7);
    });
  });
});
