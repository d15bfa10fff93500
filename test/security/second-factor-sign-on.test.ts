import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp } from '../../src/core/totp.js';
import { Browser } from '../helpers/browser.js';
import { type OidcHarness, sessionOf, startOidcHarness } from '../helpers/oidc-harness.js';
import { SECOND_FACTOR_COOKIE, TOTP_STEP_MS } from '../helpers/second-factors.js';

const SESSION = '__Host-heimdall';
/** Another app of the system that uses Heimdall as its hosted sign-in page (issue 20). */
const APP = 'http://localhost:5999';

/**
 * ASVS 6.3.4 on the third-party way in: a provider's sign-in is the first factor only. better-auth's two-factor
 * plugin guards the password form alone; here a sign-on of an account with a second factor lands on the SPA's
 * /second-factor page with no session, exactly as a password would.
 */
describe('third-party sign-on of an account with a second factor', () => {
  let h: OidcHarness;
  let secret: string;

  beforeAll(async () => {
    h = await startOidcHarness({ HEIMDALL_ORIGINS: APP });
    // Frigg's account comes from her first sign-on; she then sets up an authenticator app.
    const browser = new Browser();
    await h.signIn(browser, 'idp', 'frigg-sub');
    const csrf = ((await (await browser.request(`${h.url}/api/session`)).json()) as { csrfToken: string }).csrfToken;
    const headers = { origin: h.url, 'x-csrf-token': csrf, 'content-type': 'application/json' };
    const started = await browser.request(`${h.url}/api/account/totp`, { method: 'POST', headers, body: '{}' });
    ({ secret } = (await started.json()) as { secret: string });
    const confirmed = await browser.request(`${h.url}/api/account/totp/confirm`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ code: generateTotp(secret, h.clock.now()) }),
    });
    expect(confirmed.status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  function finish(browser: Browser, proof: Record<string, unknown>) {
    return browser.request(`${h.url}/api/auth/login/second-factor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: h.url },
      body: JSON.stringify(proof),
    });
  }

  it('6.3.4: the provider’s answer ends on /second-factor with no session, only the 2fa cookie', async () => {
    const browser = new Browser();
    const answer = await h.signIn(browser, 'idp', 'frigg-sub', { returnTo: '/devices' });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe(`${h.url}/second-factor?methods=totp,recovery_code`);
    const cookies = answer.headers.getSetCookie();
    expect(cookies.some((c) => c.startsWith(`${SESSION}=`))).toBe(false);
    const held = cookies.find((c) => c.startsWith(`${SECOND_FACTOR_COOKIE}=`));
    expect(held).toMatch(/; Max-Age=300; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    expect(await sessionOf(browser, h.url)).toBeNull();

    expect((await finish(browser, { totp: '000000' })).status).toBe(401);
    h.clock.advance(TOTP_STEP_MS);
    const done = await finish(browser, { totp: generateTotp(secret, h.clock.now()) });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({
      user: { email: 'frigg@asgard.example' },
      session: { provider: 'idp', methods: ['oidc', 'totp'] },
      returnTo: '/devices',
    });
    expect((await sessionOf(browser, h.url))?.user.email).toBe('frigg@asgard.example');
    expect(h.audits('auth.login').length).toBeGreaterThan(0);
  });

  it('keeps an allowed app’s returnTo through the second factor, and drops a foreign one', async () => {
    for (const [returnTo, kept] of [
      [`${APP}/back?x=1`, `${APP}/back?x=1`],
      ['https://evil.example/', '/'],
    ]) {
      const browser = new Browser();
      await h.signIn(browser, 'idp', 'frigg-sub', { returnTo });
      h.clock.advance(TOTP_STEP_MS);
      const done = await finish(browser, { totp: generateTotp(secret, h.clock.now()) });
      expect(done.status).toBe(200);
      expect(((await done.json()) as { returnTo: string }).returnTo).toBe(kept);
    }
  });

  it('the held sign-on cannot be finished by another browser without its cookie', async () => {
    const victim = new Browser();
    await h.signIn(victim, 'idp', 'frigg-sub');
    const attacker = new Browser();
    h.clock.advance(TOTP_STEP_MS);
    const stolenCode = await finish(attacker, { totp: generateTotp(secret, h.clock.now()) });
    expect(stolenCode.status).toBe(401);
    expect(await sessionOf(attacker, h.url)).toBeNull();
  });
});
