import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, errorCode } from '../helpers/api-client.js';
import { enrolTotp } from '../helpers/second-factors.js';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, type TestClient } from '../helpers/test-app.js';

const ELEVEN_MINUTES = 11 * 60_000;
const b64 = (text: string) => Buffer.from(text).toString('base64url');
/** A credential of the right shape: the guard must refuse before anything looks inside. */
const SOME_CREDENTIAL = {
  id: b64('credential'),
  rawId: b64('credential'),
  type: 'public-key',
  clientExtensionResults: {},
  response: { clientDataJSON: b64('{}'), attestationObject: b64('attestation') },
};

/** Every sensitive action of API.md's list that Heimdall has, with a body of the right shape. */
const SENSITIVE_ACTIONS: { name: string; method: 'POST' | 'DELETE' | 'PUT'; url: string; payload?: unknown }[] = [
  { name: 'start an authenticator app', method: 'POST', url: '/api/account/totp' },
  {
    name: 'confirm an authenticator app',
    method: 'POST',
    url: '/api/account/totp/confirm',
    payload: { code: '123456' },
  },
  { name: 'remove the authenticator app', method: 'DELETE', url: '/api/account/totp' },
  { name: 'regenerate recovery codes', method: 'POST', url: '/api/account/recovery-codes' },
  { name: 'start adding a passkey', method: 'POST', url: '/api/account/passkeys/options' },
  { name: 'add a passkey', method: 'POST', url: '/api/account/passkeys', payload: { response: SOME_CREDENTIAL } },
  { name: 'remove a passkey', method: 'DELETE', url: '/api/account/passkeys/some-passkey' },
  { name: 'link a third-party identity', method: 'POST', url: '/api/oidc/idp/link' },
  { name: 'unlink a third-party identity', method: 'DELETE', url: '/api/oidc/identities/some-identity' },
  { name: 'create API tokens from the session', method: 'POST', url: '/api/tokens' },
  { name: 'change roles (admin)', method: 'PUT', url: '/api/admin/users/USER/roles', payload: { roles: ['user'] } },
  {
    name: 'remove linked identities while signing out everywhere',
    method: 'POST',
    url: '/api/auth/logout-everywhere',
    payload: { removeIdentities: true },
  },
];

/**
 * ASVS 7.5.1 / 7.5.3: sensitive actions need a recent proof (REAUTH_MAX_AGE), and a Bearer access token never
 * performs them, however fresh. Each action is attempted both ways and must change nothing.
 */
describe('step-up: sensitive actions on a stale session or with a Bearer token', () => {
  let t: TestApp;
  let stale: TestClient;
  let api: ApiClient;
  let userId: string;

  beforeAll(async () => {
    t = await createTestApp();
    stale = await signedUpClient(t.app, 'odin@asgard.example');
    await enrolTotp(stale, t.clock);
    userId = (await stale.get('/api/session')).json().user.id;
    const codes = await stale.request({ method: 'POST', url: '/api/account/recovery-codes' });
    t.clock.advance(ELEVEN_MINUTES);
    // A brand-new access token: the grant needs the second factor now, a recovery code keeps this simple.
    const grant = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { email: 'odin@asgard.example', password: PASSWORD, recoveryCode: codes.json().recoveryCodes[0] },
    });
    api = new ApiClient(t.app);
    api.keep(grant.json());
  });
  afterAll(async () => {
    await t.close();
  });

  const urlOf = (url: string) => url.replace('USER', userId);

  it.each(SENSITIVE_ACTIONS)('7.5.1: a stale cookie session cannot $name', async ({ method, url, payload }) => {
    const response = await stale.request({ method, url: urlOf(url), ...(payload ? { payload } : {}) });
    expect(response.statusCode).toBe(403);
    expect(errorCode(response)).toBe('reauthentication_required');
  });

  it.each(SENSITIVE_ACTIONS)('7.5.1: a fresh access token cannot $name', async ({ method, url, payload }) => {
    const response = await api.request({ method, url: urlOf(url), ...(payload ? { payload } : {}) });
    expect(response.statusCode).toBe(403);
    expect(errorCode(response)).toBe('reauthentication_required');
  });

  it('nothing changed: the app, the recovery codes, the roles and the sessions are as they were', async () => {
    const me = (await stale.get('/api/session')).json();
    expect(me.user).toMatchObject({ secondFactors: ['totp'], roles: ['admin'] });
    expect((await stale.get('/api/account/recovery-codes')).json().remaining).toBe(9);
    expect((await stale.get('/api/sessions')).json().sessions).toHaveLength(2);
  });
});
