import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp } from '../../src/core/totp.js';
import { Browser } from '../helpers/browser.js';
import { DbscDevice, registrationChallenge } from '../helpers/dbsc-client.js';
import { type OidcHarness, startOidcHarness } from '../helpers/oidc-harness.js';
import { enrolTotp, presentSecondFactor, secondFactorCookieOf } from '../helpers/second-factors.js';
import { createTestApp, PASSWORD, TestClient } from '../helpers/test-app.js';

const REGISTRATION = /^\(ES256\);path="\/api\/dbsc\/register";challenge="[A-Za-z0-9_-]{32}"$/;

/** Every answer that signs a browser in offers device binding (API.md "Device-bound sessions"), and only those. */
describe('Secure-Session-Registration on every way in', () => {
  it('comes with the session of a second-factor sign-in, not with the password step, and binds', async () => {
    const t = await createTestApp();
    try {
      const client = new TestClient(t.app);
      const signedUp = await client.register('freya@vanaheim.example');
      expect(signedUp.headers['secure-session-registration']).toMatch(REGISTRATION);
      const { secret } = await enrolTotp(client, t.clock);
      const fresh = new TestClient(t.app);
      const asked = await fresh.login('freya@vanaheim.example');
      expect(asked.json()).toMatchObject({ secondFactorRequired: true });
      expect(asked.headers['secure-session-registration']).toBeUndefined();
      const done = await presentSecondFactor(fresh, secondFactorCookieOf(asked)?.value, {
        totp: generateTotp(secret, t.clock.now()),
      });
      expect(done.statusCode).toBe(200);
      expect(done.headers['secure-session-registration']).toMatch(REGISTRATION);
      const device = await DbscDevice.for(fresh);
      expect((await device.register(registrationChallenge(done)!)).statusCode).toBe(200);
      expect((await device.get('/api/session')).json().session.deviceBound).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('comes with re-authentication of a session not yet bound, and with no other authenticated answer', async () => {
    const t = await createTestApp();
    try {
      const client = new TestClient(t.app);
      await client.register('heimdall@bifrost.example');
      const reauth = await client.request({
        method: 'POST',
        url: '/api/auth/reauthenticate',
        payload: { password: PASSWORD },
      });
      expect(reauth.statusCode).toBe(200);
      expect(reauth.headers['secure-session-registration']).toMatch(REGISTRATION);
      for (const url of ['/api/session', '/api/sessions', '/auth/verify']) {
        expect((await client.get(url)).headers['secure-session-registration'], url).toBeUndefined();
      }
    } finally {
      await t.close();
    }
  });
});

describe('Secure-Session-Registration on third-party sign-on', () => {
  let h: OidcHarness;

  beforeAll(async () => {
    h = await startOidcHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('comes with the callback that sets the session cookie', async () => {
    const response = await h.signIn(new Browser(), 'idp', 'alice-sub');
    expect(response.status).toBe(302);
    expect(response.headers.get('secure-session-registration')).toMatch(REGISTRATION);
  });
});
