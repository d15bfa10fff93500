import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices } from '../../src/app/build-services.js';
import { buildApp } from '../../src/http/app.js';
import { loggerOptions } from '../../src/http/logger-options.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { TestClient } from '../helpers/test-app.js';
import { testConfig } from '../helpers/test-config.js';

const PASSWORD_1 = 'first secret passphrase 1';
const PASSWORD_2 = 'second secret passphrase 2';
const BEARER = 'eyJhbGciOiJFZERTQSJ9.bearer-secret-value.c2lnbmF0dXJl';
const METRICS_TOKEN = 'metrics-scrape-token-that-must-never-be-logged';
const LINK_TOKEN = 'download-link-token-in-a-proxied-uri';

describe('logs never hold credentials (ASVS 16.2.5, 16.4.1)', () => {
  const lines: string[] = [];
  const secrets = new Set<string>([PASSWORD_1, PASSWORD_2, BEARER, METRICS_TOKEN, LINK_TOKEN]);
  let close: () => Promise<void>;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const config = testConfig({ LOG_LEVEL: 'trace', LOG_REQUESTS: 'true', METRICS_TOKEN });
    const services = await buildServices(config, { clock: new FakeClock() });
    const logger = pino(loggerOptions('trace') as object, sink);
    const app = await buildApp(services, config, { logger });
    await app.ready();
    close = async () => {
      await app.close();
      await services.close();
    };

    // Exercise every route, with cookies, CSRF tokens, passwords and a bearer header in play.
    const admin = new TestClient(app);
    await admin.register('admin@asgard.example', PASSWORD_1);
    const odin = new TestClient(app);
    const registered = await odin.register('odin@asgard.example', PASSWORD_1, { name: 'Odin' });
    const odinId = (registered.json() as { user: { id: string } }).user.id;
    const phone = new TestClient(app);
    await phone.login('odin@asgard.example', PASSWORD_1, { rememberMe: true });
    await phone.login('odin@asgard.example', 'wrong-password-typed-here');
    secrets.add('wrong-password-typed-here');
    for (const c of [admin, odin, phone]) {
      secrets.add(c.cookie!);
      secrets.add(c.csrfToken!);
    }
    const phoneSession = ((await phone.get('/api/session')).json() as { session: { id: string } }).session.id;
    await odin.get('/api/session');
    await odin.get('/api/sessions');
    await odin.get('/api/audit');
    await odin.get('/api/demo/valhalla');
    await odin.get('/api/health');
    await odin.request({ method: 'GET', url: '/api/session', headers: { authorization: `Bearer ${BEARER}` } });
    await odin.request({ method: 'DELETE', url: `/api/sessions/${phoneSession}` });
    await odin.request({ method: 'POST', url: '/api/sessions/revoke-others' });
    await odin.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD_1, newPassword: PASSWORD_2 },
    });
    secrets.add(odin.cookie!);
    secrets.add(odin.csrfToken!);
    await admin.get('/api/admin/users?query=odin');
    await admin.get(`/api/admin/users/${odinId}/sessions`);
    await admin.get(`/api/admin/audit?userId=${odinId}`);
    await admin.request({ method: 'PUT', url: `/api/admin/users/${odinId}/roles`, payload: { roles: ['god'] } });
    await admin.request({ method: 'DELETE', url: '/api/admin/sessions/nope' });
    await admin.request({ method: 'DELETE', url: `/api/admin/users/${odinId}/sessions` });
    // Malformed bodies whose parser errors could quote the input back.
    await admin.request({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: `{"email":"odin@asgard.example","password":"${PASSWORD_2}"`,
    });
    await admin.request({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: PASSWORD_2,
    });
    await admin.request({ method: 'GET', url: `/api/session?token=${BEARER}&code=${PASSWORD_2}` });
    await admin.request({
      method: 'GET',
      url: '/api/health',
      headers: { 'user-agent': 'evil\n{"level":60,"msg":"forged line"}\r\n' },
    });
    // Forward auth (cookie, Bearer, a proxied URI carrying a credential), metrics, readiness and OpenAPI.
    await admin.request({
      method: 'GET',
      url: '/auth/verify?role=admin',
      headers: { 'x-original-method': 'POST', 'x-original-uri': `/app/files?token=${LINK_TOKEN}` },
    });
    await admin.request({
      method: 'GET',
      url: '/auth/verify',
      headers: { 'x-forwarded-uri': `/x?token=${LINK_TOKEN}` },
    });
    await admin.request({ method: 'GET', url: '/auth/verify', headers: { authorization: `Bearer ${BEARER}` } });
    await admin.request({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    await admin.request({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
    await admin.get('/api/ready');
    await admin.get('/api/openapi.json');
    await admin.request({ method: 'POST', url: '/api/auth/logout' });
    await odin.request({ method: 'POST', url: '/api/auth/logout-everywhere' });
    await new TestClient(app).register('weak@asgard.example', 'short');
  });

  afterAll(async () => {
    await close();
  });

  it('the captured log holds many request lines (the test really exercised the routes)', () => {
    expect(lines.length).toBeGreaterThan(50);
  });

  it('no password, cookie secret, CSRF token or bearer token appears anywhere in the log', () => {
    const text = lines.join('\n');
    for (const secret of secrets) expect(text.includes(secret), `leaked ${secret.slice(0, 6)}…`).toBe(false);
  });

  it('forward auth logs the proxied method and URI with credentials in the query redacted', () => {
    const forwarded = lines
      .map((l) => JSON.parse(l) as { forwarded?: { method: string; uri: string | null } })
      .filter((l) => l.forwarded);
    expect(forwarded.map((l) => l.forwarded)).toContainEqual({ method: 'POST', uri: '/app/files?token=[redacted]' });
  });

  it('no Authorization or Cookie header value is logged', () => {
    const text = lines.join('\n');
    expect(text).not.toMatch(/bearer\s+ey/i);
    expect(text).not.toMatch(/__Host-heimdall=/);
  });

  it('every request log line carries the request id', () => {
    const requestLines = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => 'req' in l || 'res' in l);
    expect(requestLines.length).toBeGreaterThan(20);
    for (const line of requestLines) expect(line.reqId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('16.4.1: log injection through a header cannot forge a log line: every line is one JSON record', () => {
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.some((l) => (JSON.parse(l) as { msg?: string }).msg === 'forged line')).toBe(false);
  });
});
