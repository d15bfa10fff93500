import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateTotp } from '../../src/core/totp.js';
import { ApiClient, errorCode } from '../helpers/api-client.js';
import {
  enrolTotp,
  presentSecondFactor,
  SECOND_FACTOR_COOKIE,
  secondFactorCookieOf,
  TOTP_STEP_MS,
} from '../helpers/second-factors.js';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

/**
 * Every way in without the second factor, attempted against an account that has one (ASVS 6.3.4: a second factor
 * on every path, not just the login form), plus replays of the factors themselves (ASVS 6.5.1).
 */
describe('attacks on the second factor', () => {
  let t: TestApp;
  let secret: string;
  let recoveryCodes: string[];
  const EMAIL = 'odin@asgard.example';

  beforeEach(async () => {
    t = await createTestApp();
    const owner = await signedUpClient(t.app, EMAIL);
    ({ secret, recoveryCodes } = await enrolTotp(owner, t.clock));
  });
  afterEach(async () => {
    await t.close();
  });

  const code = () => generateTotp(secret, t.clock.now());

  async function heldSignIn(client = new TestClient(t.app)): Promise<{ client: TestClient; cookie: string }> {
    const login = await client.login(EMAIL);
    expect(login.json()).toMatchObject({ secondFactorRequired: true });
    return { client, cookie: secondFactorCookieOf(login)!.value };
  }

  it('6.3.4: the right password alone signs nothing in; the 2fa cookie is not a session', async () => {
    const { client, cookie } = await heldSignIn();
    expect(client.cookie).toBeNull();
    for (const cookieHeader of [`__Host-heimdall=${cookie}`, `${SECOND_FACTOR_COOKIE}=${cookie}`]) {
      const response = await t.app.inject({ url: '/api/session', headers: { cookie: cookieHeader } });
      expect(response.statusCode).toBe(401);
    }
    const none = await presentSecondFactor(client, cookie, {});
    expect(none.statusCode).toBe(400);
    const withoutCookie = await presentSecondFactor(client, undefined, { totp: code() });
    expect(withoutCookie.statusCode).toBe(401);
    expect(errorCode(withoutCookie)).toBe('unauthenticated');
  });

  it('6.3.4: a token grant with the password alone is refused with second_factor_required', async () => {
    const api = new ApiClient(t.app);
    const passwordOnly = await api.signIn(EMAIL);
    expect(passwordOnly.statusCode).toBe(401);
    expect(errorCode(passwordOnly)).toBe('second_factor_required');
    const post = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/tokens', payload });
    const wrong = await post({ email: EMAIL, password: PASSWORD, totp: '000000' });
    expect(errorCode(wrong)).toBe('invalid_credentials');
    const right = await post({ email: EMAIL, password: PASSWORD, totp: code() });
    expect(right.statusCode).toBe(200);
    api.keep(right.json());
    expect((await api.get('/api/session')).json().session.methods).toEqual(['password', 'totp']);
    const withRecoveryCode = await post({ email: EMAIL, password: PASSWORD, recoveryCode: recoveryCodes[0] });
    expect(withRecoveryCode.statusCode).toBe(200);
  });

  it('6.3.4: re-authentication of a stale session by password alone is refused; the action stays refused', async () => {
    const client = new TestClient(t.app);
    const { cookie } = await heldSignIn(client);
    await presentSecondFactor(client, cookie, { totp: code() });
    t.clock.advance(11 * 60_000);
    const reauth = await client.request({
      method: 'POST',
      url: '/api/auth/reauthenticate',
      payload: { password: PASSWORD },
    });
    expect(errorCode(reauth)).toBe('second_factor_required');
    const removal = await client.request({ method: 'DELETE', url: '/api/account/totp' });
    expect(errorCode(removal)).toBe('reauthentication_required');
    expect((await client.get('/api/session')).json().user.secondFactors).toEqual(['totp']);
  });

  it('6.5.1: a TOTP code accepted once is refused when presented again, in any flow', async () => {
    const first = await heldSignIn();
    const used = code();
    expect((await presentSecondFactor(first.client, first.cookie, { totp: used })).statusCode).toBe(200);
    const second = await heldSignIn();
    const replay = await presentSecondFactor(second.client, second.cookie, { totp: used });
    expect(replay.statusCode).toBe(401);
    expect(errorCode(replay)).toBe('invalid_credentials');
    const grant = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { email: EMAIL, password: PASSWORD, totp: used },
    });
    expect(grant.statusCode).toBe(401);
    // An older code than the last accepted one is refused too, even inside the ±1 step window.
    const previous = generateTotp(secret, t.clock.now() - TOTP_STEP_MS);
    expect((await presentSecondFactor(second.client, second.cookie, { totp: previous })).statusCode).toBe(401);
    t.clock.advance(TOTP_STEP_MS);
    expect((await presentSecondFactor(second.client, second.cookie, { totp: code() })).statusCode).toBe(200);
  });

  it('6.5.1: a spent recovery code is refused', async () => {
    const first = await heldSignIn();
    expect((await presentSecondFactor(first.client, first.cookie, { recoveryCode: recoveryCodes[1] })).statusCode).toBe(
      200,
    );
    const second = await heldSignIn();
    const spent = await presentSecondFactor(second.client, second.cookie, { recoveryCode: recoveryCodes[1] });
    expect(spent.statusCode).toBe(401);
    expect(errorCode(spent)).toBe('invalid_credentials');
  });

  it('6.3.1: wrong codes are limited even when the attacker re-enters the right password between guesses', async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 4; round++) {
      const { client, cookie } = await heldSignIn();
      for (let guess = 0; guess < 2; guess++) {
        statuses.push(
          (await presentSecondFactor(client, cookie, { totp: String(100000 + round * 2 + guess) })).statusCode,
        );
      }
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toContain(429);
  });

  it('6.3.1: five wrong codes drop the held sign-in: the password must be proven again', async () => {
    const { client, cookie } = await heldSignIn();
    for (let i = 0; i < 4; i++) {
      expect(errorCode(await presentSecondFactor(client, cookie, { totp: '000000' }))).toBe('invalid_credentials');
    }
    const fifth = await presentSecondFactor(client, cookie, { totp: '000000' });
    expect(fifth.statusCode).toBe(401);
    expect(fifth.json().error).toMatchObject({
      code: 'unauthenticated',
      message: 'Too many wrong codes; sign in again.',
    });
    const after = await presentSecondFactor(client, cookie, { totp: code() });
    expect(after.statusCode).toBe(401);
    expect(errorCode(after)).toBe('unauthenticated');
  });

  it('a held sign-in of one account cannot be finished with another account’s code', async () => {
    const other = await signedUpClient(t.app, 'loki@asgard.example');
    const { secret: lokisSecret } = await enrolTotp(other, t.clock);
    const { client, cookie } = await heldSignIn();
    const crossed = await presentSecondFactor(client, cookie, { totp: generateTotp(lokisSecret, t.clock.now()) });
    expect(crossed.statusCode).toBe(401);
    expect(client.cookie).toBeNull();
  });
});
