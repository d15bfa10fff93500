import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateTotp } from '../../src/core/totp.js';
import { ApiClient, errorCode } from '../helpers/api-client.js';
import { createMailApp, type MailApp, post, stranger } from '../helpers/mail-app.js';
import { enrolTotp } from '../helpers/second-factors.js';
import { signedUpClient, TestClient } from '../helpers/test-app.js';

const LOKI = 'loki@asgard.example';
const NEW_PASSWORD = 'a passphrase the new owner chose';

/**
 * Deleting an account is the end of every credential it ever had. An address is reusable after a deletion, so
 * nothing minted for the old account — links, factors, tokens — may reach the account that takes the address next.
 */
describe('account deletion leaves nothing usable behind (ASVS 7.4.2, 6.4.1)', () => {
  let m: MailApp;
  let loki: TestClient;

  beforeEach(async () => {
    m = await createMailApp();
    await signedUpClient(m.app, 'odin@asgard.example'); // the first account is the admin; Loki is an ordinary user
    loki = await signedUpClient(m.app, LOKI);
  });
  afterEach(async () => {
    await m.stop();
  });

  const deleteOwnAccount = async (client: TestClient) => {
    const deleted = await client.request({ method: 'DELETE', url: '/api/account' });
    expect(deleted.statusCode).toBe(204);
  };

  it('an account with an authenticator app deletes cleanly; its factors do not follow the address', async () => {
    const { secret } = await enrolTotp(loki, m.clock);
    await deleteOwnAccount(loki);

    // Whoever registers the address next signs in with the password alone: no held sign-in, no inherited factor.
    expect((await stranger(m.app).register(LOKI, NEW_PASSWORD)).statusCode).toBe(201);
    const signIn = await stranger(m.app).login(LOKI, NEW_PASSWORD);
    expect(signIn.statusCode).toBe(200);
    expect(signIn.json().secondFactorRequired).toBeUndefined();
    expect(signIn.json().user.secondFactors).toEqual([]);

    // Whoever kept the old seed proves nothing to the new account with it.
    const owner = new TestClient(m.app);
    expect((await owner.login(LOKI, NEW_PASSWORD)).statusCode).toBe(200);
    const reauth = await post(owner, '/api/auth/reauthenticate', { totp: generateTotp(secret, m.clock.now()) });
    expect(reauth.statusCode).toBe(401);
    expect(errorCode(reauth)).toBe('invalid_credentials');
  });

  it('a password-reset link mailed before the deletion cannot take over the account that reuses the address', async () => {
    expect((await post(stranger(m.app), '/api/auth/password/forgot', { email: LOKI })).statusCode).toBe(202);
    const oldLink = await m.tokenFrom(LOKI, 'password_reset_link');
    await deleteOwnAccount(loki);
    expect((await stranger(m.app).register(LOKI, NEW_PASSWORD)).statusCode).toBe(201);

    const reset = await post(stranger(m.app), '/api/auth/password/reset', {
      token: oldLink,
      password: 'the attacker would like this one',
    });
    expect(reset.statusCode).toBe(400);
    expect(errorCode(reset)).toBe('invalid_token');
    expect((await stranger(m.app).login(LOKI, NEW_PASSWORD)).statusCode).toBe(200);
    expect((await stranger(m.app).login(LOKI, 'the attacker would like this one')).statusCode).toBe(401);
  });

  it('a verification link of the deleted account verifies nothing of the next one', async () => {
    const oldLink = await m.tokenFrom(LOKI, 'verify_email');
    await deleteOwnAccount(loki);
    const next = await signedUpClient(m.app, LOKI, NEW_PASSWORD);
    const verified = await post(stranger(m.app), '/api/auth/email/verify', { token: oldLink });
    expect(errorCode(verified)).toBe('invalid_token');
    expect((await next.get('/api/session')).json().user.emailVerified).toBe(false);
  });

  it('download links, API tokens and cookies minted before the deletion answer 401 afterwards', async () => {
    expect((await post(loki, '/api/products/mead-recipes/purchase')).statusCode).toBe(201);
    const link = (await post(loki, '/api/downloads/mead-recipes/link', { ttlSeconds: 7200 })).json() as {
      url: string;
    };
    expect((await m.app.inject({ method: 'GET', url: link.url })).statusCode).toBe(200);
    const api = new ApiClient(m.app);
    await api.signIn(LOKI);
    const oldCookie = loki.cookie;

    await deleteOwnAccount(loki);
    // The address taken again, by someone who also buys the product: the old link still names the old account.
    const next = await signedUpClient(m.app, LOKI, NEW_PASSWORD);
    expect((await post(next, '/api/products/mead-recipes/purchase')).statusCode).toBe(201);

    expect((await m.app.inject({ method: 'GET', url: link.url })).statusCode).toBe(401);
    expect((await api.get('/api/session')).statusCode).toBe(401);
    expect(errorCode(await api.refresh())).toBe('unauthenticated');
    const replayed = await stranger(m.app).request({
      method: 'GET',
      url: '/api/session',
      headers: { cookie: `__Host-heimdall=${oldCookie}` },
    });
    expect(replayed.statusCode).toBe(401);
  });
});
