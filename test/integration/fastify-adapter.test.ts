import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heimdall } from '../../src/adapters/fastify.js';
import { ApiClient } from '../helpers/api-client.js';
import { createTestApp, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

describe("heimdall-auth/fastify: another Fastify app validating Heimdall's cookie and Bearer tokens", () => {
  let t: TestApp;
  let host: FastifyInstance;
  let admin: TestClient;
  let odin: TestClient;
  let odinId: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signedUpClient(t.app, 'borr@asgard.example');
    odin = await signedUpClient(t.app, 'odin@asgard.example');
    odinId = (await odin.get('/api/session')).json().user.id;

    host = Fastify();
    await host.register(heimdall, { services: t.services, config: t.config });
    host.get('/me', { preHandler: host.heimdall.requireSession() }, async (request) => request.heimdall);
    host.get('/valhalla', { preHandler: host.heimdall.requireRole('god') }, async () => ({ welcome: true }));
    // The guard and the handler in one: the handler's request.heimdall is typed non-null.
    host.get(
      '/asgard',
      host.heimdall.requireRole('god', async (request) => ({ welcome: request.heimdall.user.email })),
    );
    host.post('/notes', { preHandler: host.heimdall.requireSession() }, async (request) => ({
      by: request.heimdall!.user.id,
    }));
    // A route that forgot its guard: it must still never see a user behind a forged request.
    host.post('/careless', async (request) => ({ user: request.heimdall?.user.id ?? null }));
    await host.ready();
  });

  afterAll(async () => {
    await host.close();
    await t.close();
  });

  const cookie = (client: TestClient) => ({ cookie: `__Host-heimdall=${client.cookie}` });

  it('puts { user, session, scheme, csrfToken } on the request, without hashes or secrets', async () => {
    const response = await host.inject({ method: 'GET', url: '/me', headers: cookie(odin) });
    expect(response.statusCode).toBe(200);
    const context = response.json();
    expect(context.user).toEqual({
      id: odinId,
      email: 'odin@asgard.example',
      name: 'odin',
      roles: ['user'],
      createdAt: expect.any(String),
      emailVerified: false,
      secondFactors: [],
      disabled: false,
    });
    expect(context.scheme).toBe('cookie');
    expect(context.csrfToken).toBe(odin.csrfToken);
    expect(JSON.stringify(context)).not.toMatch(/tokenHash|passwordHash/);
    const anonymous = await host.inject({ method: 'GET', url: '/me' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    expect(anonymous.headers['cache-control']).toBe('no-store');
  });

  it("requireRole('god') follows the roles in the database from one request to the next", async () => {
    expect((await host.inject({ method: 'GET', url: '/valhalla', headers: cookie(odin) })).statusCode).toBe(403);
    const refused = await host.inject({ method: 'GET', url: '/asgard', headers: cookie(odin) });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await host.inject({ method: 'GET', url: '/asgard' })).statusCode).toBe(401);
    await admin.request({ method: 'PUT', url: `/api/admin/users/${odinId}/roles`, payload: { roles: ['god'] } });
    expect((await host.inject({ method: 'GET', url: '/valhalla', headers: cookie(odin) })).statusCode).toBe(200);
    expect((await host.inject({ method: 'GET', url: '/asgard', headers: cookie(odin) })).json()).toEqual({
      welcome: 'odin@asgard.example',
    });
    await admin.request({ method: 'PUT', url: `/api/admin/users/${odinId}/roles`, payload: { roles: ['user'] } });
    expect((await host.inject({ method: 'GET', url: '/valhalla', headers: cookie(odin) })).statusCode).toBe(403);
  });

  it('the CSRF rules hold, and a forged request leaves request.heimdall null even on an unguarded route', async () => {
    const noToken = await host.inject({ method: 'POST', url: '/notes', headers: cookie(odin) });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json()).toMatchObject({ error: { code: 'csrf_failed' } });
    const token = { ...cookie(odin), 'x-csrf-token': odin.csrfToken! };
    expect((await host.inject({ method: 'POST', url: '/notes', headers: token })).json()).toEqual({ by: odinId });
    const crossSite = await host.inject({
      method: 'POST',
      url: '/notes',
      headers: { ...token, origin: 'https://evil.example' },
    });
    expect(crossSite.statusCode).toBe(403);
    expect((await host.inject({ method: 'POST', url: '/careless', headers: cookie(odin) })).json()).toEqual({
      user: null,
    });
    expect((await host.inject({ method: 'POST', url: '/careless', headers: token })).json()).toEqual({ user: odinId });
  });

  it('accepts Bearer access tokens and refuses them once revoked', async () => {
    const api = new ApiClient(t.app);
    await api.signIn('odin@asgard.example');
    const authorization = `Bearer ${api.accessToken}`;
    const me = await host.inject({ method: 'GET', url: '/me', headers: { authorization } });
    expect(me.json()).toMatchObject({ scheme: 'bearer', csrfToken: null, user: { id: odinId } });
    expect((await host.inject({ method: 'POST', url: '/notes', headers: { authorization } })).statusCode).toBe(200);
    await api.revoke();
    const revoked = await host.inject({ method: 'GET', url: '/me', headers: { authorization } });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('a revoked cookie session is refused at once and its cookie cleared', async () => {
    const phone = new TestClient(t.app);
    await phone.login('odin@asgard.example');
    expect((await host.inject({ method: 'GET', url: '/me', headers: cookie(phone) })).statusCode).toBe(200);
    const old = cookie(phone);
    await phone.request({ method: 'POST', url: '/api/auth/logout' });
    const refused = await host.inject({ method: 'GET', url: '/me', headers: old });
    expect(refused.statusCode).toBe(401);
    expect(String(refused.headers['set-cookie'])).toMatch(
      /^__Host-heimdall=; Path=\/; HttpOnly; Secure; SameSite=Strict/,
    );
  });
});
