import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';
import { errorCode } from './attack-helpers.js';

const SPA = 'https://app.asgard.example';
const EVIL = 'https://evil.example';

describe('browser-facing defences (ASVS V3, 13.4, 14.3)', () => {
  let t: TestApp;
  let odin: TestClient;

  beforeAll(async () => {
    t = await createTestApp({ HEIMDALL_ORIGINS: SPA, TRUST_PROXY: 'loopback' });
    odin = await signedUpClient(t.app, 'odin@asgard.example');
  });
  afterAll(async () => {
    await t.close();
  });

  /** A spread of responses: success, auth failure, validation failure, unknown route, refused method. */
  async function sampleResponses(): Promise<LightMyRequestResponse[]> {
    return [
      await odin.get('/api/session'),
      await t.app.inject({ method: 'GET', url: '/api/session' }),
      await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { nope: 1 } }),
      await t.app.inject({ method: 'GET', url: '/no/such/page' }),
      await t.app.inject({ method: 'TRACE' as 'GET', url: '/' }),
    ];
  }

  it('3.3.1 / 3.3.3 / 3.3.4: the session cookie is __Host-, Secure, HttpOnly, SameSite=Strict, Path=/, no Domain', async () => {
    const response = await new TestClient(t.app).register('thor@asgard.example');
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(/^__Host-heimdall=[A-Za-z0-9_-]{43};/);
    expect(header).toMatch(/; Secure/);
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Strict/);
    expect(header).toMatch(/; Path=\//);
    expect(header).not.toMatch(/Domain=/i);
  });

  it('3.3.4: the session secret travels only in Set-Cookie, never in a response body', async () => {
    const client = new TestClient(t.app);
    const response = await client.register('freya@asgard.example');
    expect(response.body).not.toContain(client.cookie!);
    expect((await client.get('/api/session')).body).not.toContain(client.cookie!);
  });

  it('3.4.1: HSTS (≥ 1 year, subdomains) is sent when served over HTTPS through the trusted proxy', async () => {
    const response = await odin.request({
      method: 'GET',
      url: '/api/session',
      headers: { 'x-forwarded-proto': 'https' },
    });
    const hsts = String(response.headers['strict-transport-security']);
    expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31_536_000);
    expect(hsts).toContain('includeSubDomains');
  });

  it('3.4.1: no HSTS over plain HTTP, and a spoofed X-Forwarded-Proto is ignored without TRUST_PROXY', async () => {
    expect((await odin.get('/api/session')).headers['strict-transport-security']).toBeUndefined();
    const direct = await createTestApp({ TRUST_PROXY: 'false' });
    try {
      const spoofed = await direct.app.inject({
        method: 'GET',
        url: '/api/health',
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(spoofed.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await direct.close();
    }
  });

  it('3.4.2: CORS answers only allow-listed origins, echoed with credentials and never "*"', async () => {
    const preflight = (origin: string) =>
      t.app.inject({
        method: 'OPTIONS',
        url: '/api/session',
        headers: { origin, 'access-control-request-method': 'GET' },
      });
    const evil = await preflight(EVIL);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const good = await preflight(SPA);
    expect(good.headers['access-control-allow-origin']).toBe(SPA);
    expect(good.headers['access-control-allow-credentials']).toBe('true');
    const simple = await odin.request({ method: 'GET', url: '/api/session', headers: { origin: EVIL } });
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("3.4.3: every response carries a CSP with object-src 'none', base-uri 'none' and no inline script", async () => {
    for (const response of await sampleResponses()) {
      const csp = String(response.headers['content-security-policy']);
      // JSON answers load nothing at all (`default-src 'none'` covers objects and scripts); documents name 'self'.
      if (csp.startsWith("default-src 'none'")) expect(csp).not.toMatch(/(object|script)-src/);
      else {
        expect(csp).toContain("object-src 'none'");
        expect(csp).toMatch(/script-src 'self'(;|$)/);
      }
      expect(csp).toContain("base-uri 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
    }
  });

  it('JSON answers carry the headers a JSON API needs (OWASP REST cheat sheet); documents keep the full set', async () => {
    const json = [
      await odin.get('/api/session'),
      await t.app.inject({ method: 'GET', url: '/api/session' }),
      await t.app.inject({ method: 'GET', url: '/api/no/such/route' }),
    ];
    for (const response of json) {
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['content-security-policy']).toBe(
        "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
      );
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['cache-control']).toBe('no-store');
      for (const documentOnly of ['cross-origin-opener-policy', 'origin-agent-cluster', 'x-xss-protection']) {
        expect(response.headers[documentOnly]).toBeUndefined();
      }
    }
    const page = await t.app.inject({ method: 'GET', url: '/no/such/page' });
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('3.4.4: every response carries X-Content-Type-Options: nosniff', async () => {
    for (const response of await sampleResponses()) expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('3.4.5: every response carries a Referrer-Policy that leaks no URL', async () => {
    for (const response of await sampleResponses()) expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it("3.4.6: framing is refused by CSP frame-ancestors 'none' (clickjacking)", async () => {
    for (const response of await sampleResponses()) {
      expect(String(response.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    }
  });

  it('13.4.6: no response advertises the server stack (X-Powered-By, Server)', async () => {
    for (const response of await sampleResponses()) {
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers.server).toBeUndefined();
    }
  });

  it('13.4.4: TRACE is refused and never echoes the request (cross-site tracing)', async () => {
    const response = await odin.request({ method: 'TRACE' as 'GET', url: '/api/session' });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain(odin.cookie!);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
  });

  it('4.1.4: unknown and WebDAV methods are refused the same way, never reaching a route', async () => {
    for (const method of ['PROPFIND', 'CONNECT', 'MKCOL', 'PURGE'] as const) {
      const response = await t.app.inject({ method: method as 'GET', url: '/api/session' });
      expect(response.statusCode).toBe(404);
      expect(errorCode(response)).toBe('not_found');
    }
  });

  it('3.5.1: CSRF: an unsafe request with the cookie but without the anti-forgery token is refused', async () => {
    const forged = await odin.request({ method: 'POST', url: '/api/sessions/revoke-others', csrf: false });
    expect(forged.statusCode).toBe(403);
    expect(errorCode(forged)).toBe('csrf_failed');
    const wrong = await odin.request({
      method: 'POST',
      url: '/api/sessions/revoke-others',
      headers: { 'x-csrf-token': 'x'.repeat(43) },
    });
    expect(wrong.statusCode).toBe(403);
  });

  it('3.5.1: login CSRF: a cross-site page cannot sign the browser in to the attacker account', async () => {
    const byOrigin = await new TestClient(t.app).request({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: EVIL },
      payload: { email: 'odin@asgard.example', password: 'whatever it is' },
    });
    expect(errorCode(byOrigin)).toBe('csrf_failed');
    const byFetchMetadata = await new TestClient(t.app).request({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'sec-fetch-site': 'cross-site' },
      payload: { email: 'odin@asgard.example', password: 'whatever it is' },
    });
    expect(errorCode(byFetchMetadata)).toBe('csrf_failed');
  });

  it('3.5.1: Origin: null (sandboxed iframes, data: URLs) is never an allowed origin', async () => {
    const response = await odin.request({ method: 'POST', url: '/api/auth/logout', headers: { origin: 'null' } });
    expect(errorCode(response)).toBe('csrf_failed');
    expect((await odin.get('/api/session')).statusCode).toBe(200);
  });

  it('3.5.2: a CORS-safelisted form post (text/plain) cannot reach a JSON endpoint', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'text/plain' },
      payload: '{"email":"odin@asgard.example","password":"x"}',
    });
    expect(response.statusCode).toBe(415);
    const urlEncoded = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=a@b.example&password=longenoughpassword',
    });
    expect(urlEncoded.statusCode).toBe(415);
  });

  it('3.5.3: state never changes on GET: a GET to sign-out endpoints does nothing', async () => {
    for (const url of ['/api/auth/logout', '/api/auth/logout-everywhere', '/api/sessions/revoke-others']) {
      const response = await odin.get(url);
      expect(response.statusCode).toBe(405);
      // `revoke-others` is also an id for DELETE /api/sessions/:id; GET is never among them.
      expect(String(response.headers.allow).split(', ')).toContain('POST');
      expect(String(response.headers.allow)).not.toMatch(/GET/);
    }
    expect((await odin.get('/api/session')).statusCode).toBe(200);
  });

  it('3.2.1 / 3.5.6: API answers are JSON, never HTML or JSONP, whatever the query asks for', async () => {
    const response = await odin.request({
      method: 'GET',
      url: '/api/session?callback=alert&format=html',
      headers: { accept: 'text/html' },
    });
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body.startsWith('{')).toBe(true);
  });

  it('14.3.2: every /api answer, including errors, is marked Cache-Control: no-store', async () => {
    for (const response of [
      await odin.get('/api/session'),
      await t.app.inject({ method: 'GET', url: '/api/session' }),
      await odin.get('/api/audit'),
    ]) {
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });
});
