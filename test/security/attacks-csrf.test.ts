import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, signedUpClient, type TestApp, type TestClient } from '../helpers/test-app.js';

/** Cross-site request forgery: each test sends what a hostile page could make a browser send. */
describe('CSRF attacks', () => {
  let t: TestApp;
  let odin: TestClient;
  let otherPhone: TestClient;

  beforeEach(async () => {
    t = await createTestApp({ HEIMDALL_ORIGINS: 'https://app.asgard.example' });
    odin = await signedUpClient(t.app, 'odin@asgard.example');
    otherPhone = await signedUpClient(t.app, 'phone-owner@asgard.example');
  });

  afterEach(async () => {
    await t.close();
  });

  const stillSignedIn = async () => expect((await odin.get('/api/session')).statusCode).toBe(200);

  it('an unsafe request without the x-csrf-token header is refused and changes nothing', async () => {
    const response = await odin.request({ method: 'POST', url: '/api/auth/logout-everywhere', csrf: false });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('csrf_failed');
    await stillSignedIn();
  });

  it("a wrong token, or another session's token, is refused", async () => {
    for (const token of ['x'.repeat(43), otherPhone.csrfToken!, '']) {
      const response = await odin.request({
        method: 'POST',
        url: '/api/sessions/revoke-others',
        headers: { 'x-csrf-token': token },
      });
      expect(response.statusCode).toBe(403);
    }
    await stillSignedIn();
  });

  it('a request from a foreign Origin is refused even with the right token', async () => {
    const response = await odin.request({
      method: 'POST',
      url: '/api/auth/logout-everywhere',
      headers: { origin: 'https://evil.example' },
    });
    expect(response.statusCode).toBe(403);
    await stillSignedIn();
  });

  it('Origin: null (sandboxed frames, data: URLs) is never allowed', async () => {
    const response = await odin.request({
      method: 'POST',
      url: '/api/auth/logout-everywhere',
      headers: { origin: 'null' },
    });
    expect(response.statusCode).toBe(403);
    await stillSignedIn();
  });

  it('Sec-Fetch-Site: cross-site is refused', async () => {
    const response = await odin.request({
      method: 'POST',
      url: '/api/auth/logout-everywhere',
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(response.statusCode).toBe(403);
    await stillSignedIn();
  });

  it('login and register from a foreign origin are refused (login CSRF)', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: 'https://evil.example' },
      payload: { email: 'odin@asgard.example', password: 'correct horse battery staple' },
    });
    expect(login.statusCode).toBe(403);
    expect(login.headers['set-cookie']).toBeUndefined();
    const register = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      headers: { 'sec-fetch-site': 'cross-site' },
      payload: { email: 'planted@evil.example', password: 'correct horse battery staple' },
    });
    expect(register.statusCode).toBe(403);
  });

  it("the allowed SPA origin and Heimdall's own origin pass with the token", async () => {
    const fromSpa = await odin.request({
      method: 'POST',
      url: '/api/sessions/revoke-others',
      headers: { origin: 'https://app.asgard.example', 'sec-fetch-site': 'same-site' },
    });
    expect(fromSpa.statusCode).toBe(200);
    const sameOrigin = await odin.request({
      method: 'POST',
      url: '/api/sessions/revoke-others',
      headers: { origin: 'http://localhost:80', host: 'localhost:80', 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.statusCode).toBe(200);
  });

  it('a request that only claims our origin through an untrusted X-Forwarded-Host is refused', async () => {
    const response = await odin.request({
      method: 'POST',
      url: '/api/sessions/revoke-others',
      headers: { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    });
    expect(response.statusCode).toBe(403);
  });

  it('GET never changes state: no state-changing route answers to GET', async () => {
    for (const url of [
      '/api/auth/logout',
      '/api/auth/logout-everywhere',
      '/api/sessions/revoke-others',
      '/api/auth/password',
    ]) {
      // Known paths: 405, and GET is not among the methods they serve.
      const response = await odin.request({ method: 'GET', url });
      expect(response.statusCode, url).toBe(405);
      expect(String(response.headers.allow), url).not.toMatch(/GET/);
    }
    const id = (await odin.get('/api/session')).json().session.id;
    const byId = await odin.get(`/api/sessions/${id}`);
    expect([byId.statusCode, byId.headers.allow]).toEqual([405, 'DELETE']);
    await stillSignedIn();
  });

  it('CORS grants credentials only to HEIMDALL_ORIGINS, echoing the origin and never *', async () => {
    const allowed = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/session',
      headers: {
        origin: 'https://app.asgard.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-csrf-token',
      },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.asgard.example');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(String(allowed.headers['access-control-allow-headers'])).toContain('x-csrf-token');
    const foreign = await t.app.inject({
      method: 'GET',
      url: '/api/session',
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    expect(foreign.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
