import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../helpers/browser.js';
import { type OidcHarness, sessionOf, startOidcHarness } from '../helpers/oidc-harness.js';
import { deliverMail, linkIn, SmtpCapture, tokenOf } from '../helpers/smtp-capture.js';
import { PASSWORD } from '../helpers/test-app.js';

const SESSION = '__Host-heimdall';

/**
 * Issue 15, finding 2: account pre-hijacking with OIDC_LINK_VERIFIED_EMAIL=true. The attacker prepares an account
 * under the victim's address before the victim ever arrives, so that the victim's later sign-on through a provider
 * lands in it while the attacker keeps a way in. Both variants against a real provider (oidc-provider) over HTTP.
 * The rule that stops them (issue 16): sign-on links by email only into an account whose address Heimdall has
 * verified itself, and makes no account from an address the provider does not vouch for.
 */
describe('account pre-hijacking through third-party sign-on', () => {
  let h: OidcHarness;
  let smtp: SmtpCapture;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
    h = await startOidcHarness({ OIDC_LINK_VERIFIED_EMAIL: 'true', SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.down();
  });

  /** Adds an account at both providers (each test uses addresses of its own). */
  function atProviders(sub: string, email: string, verified: boolean): void {
    for (const provider of [h.idp, h.rogue]) {
      provider.users.set(sub, { sub, email, email_verified: verified, name: sub });
    }
  }

  async function register(browser: Browser, email: string, password = PASSWORD): Promise<string> {
    const response = await browser.request(`${h.url}/api/auth/register`, {
      method: 'POST',
      body: JSON.stringify({ email, password }),
      headers: { 'content-type': 'application/json', origin: h.url },
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { user: { id: string } }).user.id;
  }

  async function identitiesOf(browser: Browser): Promise<{ provider: string }[]> {
    const response = await browser.request(`${h.url}/api/oidc/identities`);
    return ((await response.json()) as { identities: { provider: string }[] }).identities;
  }

  /** Delivers a callback and checks that it was refused with `code` and signed nobody in. */
  async function expectRefused(browser: Browser, callback: string, code: string): Promise<void> {
    const response = await browser.request(callback);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${h.url}/?error=${code}`);
    expect(response.headers.getSetCookie().some((c) => c.startsWith(`${SESSION}=`))).toBe(false);
    expect(await sessionOf(browser, h.url)).toBeNull();
  }

  it('(a) an account registered with the victim’s address and the attacker’s password never receives the victim’s verified sign-on', async () => {
    atProviders('thor-sub', 'thor@asgard.example', true);
    // The attacker registers the victim's address with a password of her own; she cannot follow the verification
    // link, which goes to the victim's mailbox.
    const attacker = new Browser();
    const attackerAccount = await register(attacker, 'thor@asgard.example', 'mallory knows this password');

    // The victim, who never signed up here, arrives through a provider that vouches for the address.
    const victim = new Browser();
    await expectRefused(victim, await h.authorize(victim, 'idp', 'thor-sub'), 'email_taken');
    await expectRefused(victim, await h.authorize(victim, 'rogue', 'thor-sub'), 'email_taken');

    // Nothing was joined: the attacker's account holds no identity of the victim's, and it is still unverified.
    expect(await identitiesOf(attacker)).toEqual([]);
    const mine = await sessionOf(attacker, h.url);
    expect(mine?.user.id).toBe(attackerAccount);
    const audits = h.audits('auth.login_failed').filter((a) => a.userId === attackerAccount);
    expect(audits.map((a) => a.reason)).toEqual([
      expect.stringMatching(/Heimdall has not verified/),
      expect.stringMatching(/Heimdall has not verified/),
    ]);
  });

  it('(b) a sign-on with an address the provider does not vouch for makes no account that a later verified sign-on would join', async () => {
    atProviders('loki-sub', 'tyr@asgard.example', false);
    atProviders('tyr-sub', 'tyr@asgard.example', true);
    // The attacker signs on through a provider that lets her claim the victim's address without proving it.
    const attacker = new Browser();
    await expectRefused(attacker, await h.authorize(attacker, 'idp', 'loki-sub'), 'email_unverified');

    // Later the victim signs on, verified, at another provider: a new account of her own, not one the attacker holds.
    const victim = new Browser();
    const landed = await victim.request(await h.authorize(victim, 'rogue', 'tyr-sub'));
    expect(landed.headers.get('location')).toBe(`${h.url}/`);
    const victimSession = await sessionOf(victim, h.url);
    expect(victimSession?.user.email).toBe('tyr@asgard.example');
    expect((await identitiesOf(victim)).map((i) => i.provider)).toEqual(['rogue']);

    // The attacker's provider identity still reaches nothing, now that the address has an account.
    const again = new Browser();
    await expectRefused(again, await h.authorize(again, 'idp', 'loki-sub'), 'email_taken');
    expect((await identitiesOf(victim)).map((i) => i.provider)).toEqual(['rogue']);
  });

  it('links a verified sign-on into an account once Heimdall has verified its address through its own link', async () => {
    atProviders('frey-sub', 'frey@vanaheim.example', true);
    const owner = new Browser();
    const account = await register(owner, 'frey@vanaheim.example');
    // Before the owner follows the link: refused, as for an attacker's account.
    const early = new Browser();
    await expectRefused(early, await h.authorize(early, 'idp', 'frey-sub'), 'email_taken');

    await deliverMail(h.services);
    const link = linkIn(smtp.only('frey@vanaheim.example', 'verify_email'), `${h.url}/verify-email?token=`);
    const verified = await owner.request(`${h.url}/api/auth/email/verify`, {
      method: 'POST',
      body: JSON.stringify({ token: tokenOf(link) }),
      headers: { 'content-type': 'application/json', origin: h.url },
    });
    expect(verified.status).toBe(200);

    const later = new Browser();
    await h.signIn(later, 'idp', 'frey-sub');
    expect((await sessionOf(later, h.url))?.user.id).toBe(account);
    await deliverMail(h.services);
    expect(smtp.only('frey@vanaheim.example', 'identity_linked').text).toContain('Test IdP');
  });
});
