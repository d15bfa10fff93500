import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, errorCode } from '../helpers/api-client.js';
import { createTestApp, signedUpClient, type TestApp, type TestClient } from '../helpers/test-app.js';

/** What nginx, Traefik and Caddy send to /auth/verify: the client's headers plus the proxied request's method. */
function verify(client: TestClient, headers: Record<string, string> = {}, query = '') {
  return client.request({ method: 'GET', url: `/auth/verify${query}`, headers });
}

describe('forward auth: GET /auth/verify', () => {
  let t: TestApp;
  let admin: TestClient;
  let odin: TestClient;
  let odinId: string;

  beforeEach(async () => {
    t = await createTestApp({
      TRUST_PROXY: 'loopback',
      HEIMDALL_ORIGINS: 'https://spa.asgard.example',
      // The site behind the proxy, whose host the proxy forwards with each check.
      HEIMDALL_ALLOWED_HOSTS: 'app.asgard.example',
    });
    admin = await signedUpClient(t.app, 'borr@asgard.example');
    odin = await signedUpClient(t.app, 'odin@asgard.example');
    odinId = (await odin.get('/api/session')).json().user.id;
  });

  afterEach(async () => {
    await t.close();
  });

  const setRoles = (roles: string[]) =>
    admin.request({ method: 'PUT', url: `/api/admin/users/${odinId}/roles`, payload: { roles } });

  it('answers 204 with the identity headers for a live cookie session, and never lets it be cached', async () => {
    const session = (await odin.get('/api/session')).json();
    const response = await verify(odin, { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/app/hello' });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(response.headers['x-auth-user-id']).toBe(odinId);
    expect(response.headers['x-auth-user-email']).toBe('odin@asgard.example');
    expect(response.headers['x-auth-roles']).toBe('user');
    expect(response.headers['x-auth-session-id']).toBe(session.session.id);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('answers 401 without a session, with a dead cookie (cleared) and after sign-out, never cached', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/auth/verify' });
    expect(anonymous.statusCode).toBe(401);
    expect(errorCode(anonymous)).toBe('unauthenticated');
    expect(anonymous.headers['cache-control']).toBe('no-store');
    expect(anonymous.headers['x-auth-user-id']).toBeUndefined();

    const stolen = odin.cookie!;
    expect((await odin.request({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
    const revoked = await t.app.inject({
      method: 'GET',
      url: '/auth/verify',
      headers: { cookie: `__Host-heimdall=${stolen}` },
    });
    expect(revoked.statusCode).toBe(401);
    expect(String(revoked.headers['set-cookie'])).toMatch(/__Host-heimdall=;/);
  });

  it('checks ?role= against the roles in the database: a promotion and a demotion bite on the next request', async () => {
    expect((await verify(odin, {}, '?role=god')).statusCode).toBe(403);
    expect(errorCode(await verify(odin, {}, '?role=god'))).toBe('forbidden');
    expect((await setRoles(['user', 'god'])).statusCode).toBe(200);
    const god = await verify(odin, {}, '?role=god');
    expect(god.statusCode).toBe(204);
    expect(String(god.headers['x-auth-roles']).split(',').sort()).toEqual(['god', 'user']);
    expect((await setRoles(['user'])).statusCode).toBe(200);
    expect((await verify(odin, {}, '?role=god')).statusCode).toBe(403);
    // Signed out everywhere by an admin: 401 at once.
    await admin.request({ method: 'DELETE', url: `/api/admin/users/${odinId}/sessions` });
    expect((await verify(odin, {}, '?role=god')).statusCode).toBe(401);
  });

  it('refuses a role name that is not one (400), rather than answering for it', async () => {
    expect((await verify(odin, {}, '?role=GOD%20MODE')).statusCode).toBe(400);
  });

  it('accepts a Bearer access token; a bad one gets 401 with a WWW-Authenticate challenge', async () => {
    const api = new ApiClient(t.app);
    expect((await api.signIn('odin@asgard.example')).statusCode).toBe(200);
    const ok = await api.request({ method: 'GET', url: '/auth/verify', headers: { 'x-forwarded-method': 'DELETE' } });
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['x-auth-user-id']).toBe(odinId);
    const family = (await api.get('/api/session')).json().session.id;
    expect(ok.headers['x-auth-session-id']).toBe(family);

    const bad = await api.request({ method: 'GET', url: '/auth/verify' }, `${api.accessToken}x`);
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    await api.revoke();
    expect((await api.get('/auth/verify')).statusCode).toBe(401);
  });

  describe('CSRF rules hold for the proxied request', () => {
    it('an unsafe proxied method with a cookie needs the x-csrf-token of the session', async () => {
      for (const header of ['x-forwarded-method', 'x-original-method']) {
        for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
          const refused = await verify(odin, { [header]: method, 'x-csrf-token': 'not-the-token' });
          expect(refused.statusCode, `${header}: ${method}`).toBe(403);
          expect(errorCode(refused)).toBe('csrf_failed');
          const missing = await odin.request({ method: 'GET', url: '/auth/verify', headers: { [header]: method } });
          expect(missing.statusCode).toBe(403);
          const allowed = await verify(odin, { [header]: method, 'x-csrf-token': odin.csrfToken! });
          expect(allowed.statusCode, `${header}: ${method}`).toBe(204);
        }
      }
    });

    it('a cross-site Origin, Origin: null or Sec-Fetch-Site: cross-site is refused even with the token', async () => {
      const token = { 'x-forwarded-method': 'POST', 'x-csrf-token': odin.csrfToken! };
      for (const headers of [
        { ...token, origin: 'https://evil.example' },
        { ...token, origin: 'null' },
        { ...token, 'sec-fetch-site': 'cross-site' },
      ]) {
        const response = await verify(odin, headers);
        expect(response.statusCode, JSON.stringify(headers)).toBe(403);
        expect(errorCode(response)).toBe('csrf_failed');
      }
    });

    it('the protected site (X-Forwarded-Host/Proto from a trusted proxy) and HEIMDALL_ORIGINS are allowed origins', async () => {
      const token = { 'x-forwarded-method': 'POST', 'x-csrf-token': odin.csrfToken! };
      const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.asgard.example' };
      expect((await verify(odin, { ...token, ...proxied, origin: 'https://app.asgard.example' })).statusCode).toBe(204);
      expect((await verify(odin, { ...token, origin: 'https://spa.asgard.example' })).statusCode).toBe(204);
      expect((await verify(odin, { ...token, ...proxied, origin: 'https://other.asgard.example' })).statusCode).toBe(
        403,
      );
    });

    it('when two headers disagree, or one is garbage, the request counts as unsafe', async () => {
      const both = await verify(odin, { 'x-forwarded-method': 'GET', 'x-original-method': 'POST' });
      expect(both.statusCode).toBe(403);
      expect((await verify(odin, { 'x-forwarded-method': 'G E T' })).statusCode).toBe(403);
      expect((await verify(odin, { 'x-forwarded-method': 'get' })).statusCode).toBe(204);
    });

    it('a Bearer request needs no CSRF token for an unsafe method (a browser cannot be made to add one)', async () => {
      const api = new ApiClient(t.app);
      await api.signIn('odin@asgard.example');
      const response = await api.request({
        method: 'GET',
        url: '/auth/verify',
        headers: { 'x-forwarded-method': 'POST', origin: 'https://evil.example' },
      });
      expect(response.statusCode).toBe(204);
    });

    it('a Bearer header never falls back to the cookie that came with it', async () => {
      const response = await verify(odin, { authorization: 'Bearer not-a-token' });
      expect(response.statusCode).toBe(401);
    });
  });

  it('percent-encodes an email that is not visible ASCII, so a header can carry it exactly', async () => {
    const odr = await signedUpClient(t.app, 'ódr@asgard.example');
    const response = await verify(odr);
    expect(response.statusCode).toBe(204);
    expect(response.headers['x-auth-user-email']).toBe('%C3%B3dr@asgard.example');
    expect(decodeURIComponent(String(response.headers['x-auth-user-email']))).toBe('ódr@asgard.example');
  });

  it('answers HEAD like GET, and other methods with 405 and Allow', async () => {
    expect((await odin.request({ method: 'HEAD', url: '/auth/verify' })).statusCode).toBe(204);
    const post = await odin.request({ method: 'POST', url: '/auth/verify' });
    expect([post.statusCode, post.headers.allow]).toEqual([405, 'GET, HEAD']);
  });
});
