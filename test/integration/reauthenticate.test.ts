import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateTotp } from '../../src/core/totp.js';
import { ApiClient, errorCode } from '../helpers/api-client.js';
import { enrolTotp, TOTP_STEP_MS } from '../helpers/second-factors.js';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

const ELEVEN_MINUTES = 11 * 60_000;

describe('POST /api/auth/reauthenticate', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  const reauthenticate = (client: TestClient, payload: Record<string, unknown>) =>
    client.request({ method: 'POST', url: '/api/auth/reauthenticate', payload });

  it('makes a stale session fresh: same id, new cookie and CSRF token, authenticatedAt now', async () => {
    const client = await signedUpClient(t.app, 'odin@asgard.example');
    const before = (await client.get('/api/session')).json() as { session: { id: string }; csrfToken: string };
    const oldCookie = client.cookie;
    t.clock.advance(ELEVEN_MINUTES);
    const stale = await client.request({ method: 'POST', url: '/api/account/totp' });
    expect(stale.statusCode).toBe(403);
    expect(stale.json().error).toMatchObject({ code: 'reauthentication_required', maxAgeSeconds: 600 });

    const fresh = await reauthenticate(client, { password: PASSWORD });
    expect(fresh.statusCode).toBe(200);
    const body = fresh.json() as {
      session: { id: string; authenticatedAt: string; methods: string[] };
      csrfToken: string;
    };
    expect(body.session.id).toBe(before.session.id);
    expect(body.session.authenticatedAt).toBe(new Date(t.clock.now()).toISOString());
    expect(body.session.methods).toEqual(['password']);
    expect(body.csrfToken).not.toBe(before.csrfToken);
    expect(client.cookie).not.toBe(oldCookie);
    const old = await t.app.inject({ url: '/api/session', headers: { cookie: `__Host-heimdall=${oldCookie}` } });
    expect(old.statusCode).toBe(401);
    expect((await client.request({ method: 'POST', url: '/api/account/totp' })).statusCode).toBe(200);
    const { events } = (await client.get('/api/audit?type=auth.reauthenticated')).json() as {
      events: { sessionId: string; details: { methods: string[] } }[];
    };
    expect(events).toEqual([
      expect.objectContaining({ sessionId: before.session.id, details: { methods: ['password'] } }),
    ]);
  });

  it('a wrong password is refused and counts toward the login limits', async () => {
    const client = await signedUpClient(t.app, 'frigg@asgard.example');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await reauthenticate(client, { password: 'not the password' })).statusCode);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
  });

  it('an account with a second factor needs it: the password alone is second_factor_required', async () => {
    const client = await signedUpClient(t.app, 'thor@asgard.example');
    const { secret } = await enrolTotp(client, t.clock);
    t.clock.advance(ELEVEN_MINUTES);
    const passwordOnly = await reauthenticate(client, { password: PASSWORD });
    expect(passwordOnly.statusCode).toBe(401);
    expect(errorCode(passwordOnly)).toBe('second_factor_required');
    expect((await client.request({ method: 'DELETE', url: '/api/account/totp' })).statusCode).toBe(403);

    const code = generateTotp(secret, t.clock.now());
    const withCode = await reauthenticate(client, { totp: code });
    expect(withCode.statusCode).toBe(200);
    expect(withCode.json().session.methods).toEqual(['password', 'totp']);
    // The same code again is a replay.
    t.clock.advance(ELEVEN_MINUTES - TOTP_STEP_MS);
    expect((await reauthenticate(client, { totp: code })).statusCode).toBe(401);
    // Password and code together are accepted too.
    const both = await reauthenticate(client, { password: PASSWORD, totp: generateTotp(secret, t.clock.now()) });
    expect(both.statusCode).toBe(200);
  });

  it('is refused to an access token, and asks for some proof', async () => {
    await signedUpClient(t.app, 'loki@asgard.example');
    const api = new ApiClient(t.app);
    await api.signIn('loki@asgard.example');
    const bearer = await api.request({
      method: 'POST',
      url: '/api/auth/reauthenticate',
      payload: { password: PASSWORD },
    });
    expect(bearer.statusCode).toBe(403);
    expect(errorCode(bearer)).toBe('forbidden');
    const client = new TestClient(t.app);
    await client.login('loki@asgard.example');
    expect((await reauthenticate(client, {})).statusCode).toBe(400);
    expect(
      (await client.request({ method: 'POST', url: '/api/auth/reauthenticate', payload: { totp: '12345' } }))
        .statusCode,
    ).toBe(400);
  });
});
