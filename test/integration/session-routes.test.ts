import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

describe('session routes', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
  });

  afterEach(async () => {
    await t.close();
  });

  it('GET /api/session describes the user, the session and the CSRF token', async () => {
    const client = await signedUpClient(t.app, 'odin@asgard.example');
    const response = await client.get('/api/session');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user).toEqual({
      id: expect.any(String),
      email: 'odin@asgard.example',
      name: 'odin',
      roles: ['admin'],
      createdAt: expect.any(String),
      emailVerified: false,
      secondFactors: [],
      disabled: false,
    });
    expect(Object.keys(body.session).sort()).toEqual(
      [
        'browser',
        'country',
        'createdAt',
        'expiresAt',
        'id',
        'idleExpiresAt',
        'ip',
        'kind',
        'lastSeenAt',
        'os',
        'provider',
        'rememberMe',
        'userAgent',
        'authenticatedAt',
        'methods',
        'deviceBound',
      ].sort(),
    );
    expect(body.session).toMatchObject({ methods: ['password'], deviceBound: false });
    expect(body.session.authenticatedAt).toBe(body.session.createdAt);
    expect(body.session.browser).toBe('Chrome 156');
    expect(body.csrfToken).toBe(client.csrfToken);
    expect(body.warnings).toEqual([]);
    expect(new Date(body.session.expiresAt).getTime() - new Date(body.session.createdAt).getTime()).toBe(
      12 * 3_600_000,
    );
  });

  it('GET /api/session answers 401 unauthenticated without a cookie, and clears a dead one', async () => {
    const none = await t.app.inject({ url: '/api/session' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthenticated');
    const dead = await t.app.inject({ url: '/api/session', headers: { cookie: `__Host-heimdall=${'A'.repeat(43)}` } });
    expect(dead.statusCode).toBe(401);
    expect(String(dead.headers['set-cookie'])).toMatch(/__Host-heimdall=;/);
  });

  it('an idle session expires after 30 minutes and activity keeps it alive', async () => {
    const client = await signedUpClient(t.app, 'odin@asgard.example');
    for (let i = 0; i < 5; i++) {
      t.clock.advance(25 * 60_000);
      expect((await client.get('/api/session')).statusCode).toBe(200);
    }
    t.clock.advance(31 * 60_000);
    expect((await client.get('/api/session')).statusCode).toBe(401);
  });

  it("lists the user's sessions newest first, marking the current one", async () => {
    const laptop = await signedUpClient(t.app, 'odin@asgard.example');
    t.clock.advance(1000);
    const phone = new TestClient(t.app);
    phone.userAgent =
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1';
    await phone.login('odin@asgard.example');
    const sessions = (await laptop.get('/api/sessions')).json().sessions;
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({ current: false, browser: 'Mobile Safari 18', os: 'iOS 18.0' });
    expect(sessions[1]).toMatchObject({ current: true, browser: 'Chrome 156', os: 'Linux' });
  });

  it('DELETE /api/sessions/:id ends one of my sessions', async () => {
    const laptop = await signedUpClient(t.app, 'odin@asgard.example');
    const phone = new TestClient(t.app);
    const login = await phone.login('odin@asgard.example');
    const response = await laptop.request({ method: 'DELETE', url: `/api/sessions/${login.json().session.id}` });
    expect(response.statusCode).toBe(204);
    expect((await phone.get('/api/session')).statusCode).toBe(401);
    expect((await laptop.get('/api/session')).statusCode).toBe(200);
  });

  it('DELETE /api/sessions/:id of the current session signs it out and clears the cookie', async () => {
    const client = await signedUpClient(t.app, 'odin@asgard.example');
    const id = (await client.get('/api/session')).json().session.id;
    const response = await client.request({ method: 'DELETE', url: `/api/sessions/${id}` });
    expect(response.statusCode).toBe(204);
    expect(client.cookie).toBeNull();
  });

  it('POST /api/sessions/revoke-others keeps only the current session', async () => {
    const laptop = await signedUpClient(t.app, 'odin@asgard.example');
    const others = [new TestClient(t.app), new TestClient(t.app)];
    for (const other of others) await other.login('odin@asgard.example');
    const response = await laptop.request({ method: 'POST', url: '/api/sessions/revoke-others' });
    expect(response.json()).toEqual({ revoked: 2 });
    for (const other of others) expect((await other.get('/api/session')).statusCode).toBe(401);
    expect((await laptop.get('/api/sessions')).json().sessions).toHaveLength(1);
  });

  it('GET /api/health reports the store', async () => {
    const response = await t.app.inject({ url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', checks: { database: 'ok', sessions: 'ok' } });
  });

  it('GET /api/health answers 503 when the database is gone', async () => {
    await t.services.close();
    const response = await t.app.inject({ url: '/api/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json().status).toBe('unavailable');
    t = await createTestApp();
  });
});
