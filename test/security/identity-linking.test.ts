import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../helpers/browser.js';
import { type OidcHarness, sessionOf, startOidcHarness } from '../helpers/oidc-harness.js';
import { PASSWORD } from '../helpers/test-app.js';

const ELEVEN_MINUTES = 11 * 60_000;

/**
 * Issue 15, finding 1 (high): linking a third-party identity with a stolen access token was a permanent takeover.
 * The attacker took a user's 5-minute access token, started `POST /api/oidc/<p>/link` with it, finished the provider
 * round trip as themselves, and from then on signed on as the victim, even after the victim changed the password.
 * Now a Bearer token never links (403 reauthentication_required), and a cookie session links or unlinks only within
 * REAUTH_MAX_AGE of its last proof.
 */
describe('identity linking cannot be used to take an account over', () => {
  let h: OidcHarness;

  beforeAll(async () => {
    h = await startOidcHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function register(browser: Browser, email: string): Promise<string> {
    const response = await browser.request(`${h.url}/api/auth/register`, {
      method: 'POST',
      body: JSON.stringify({ email, password: PASSWORD }),
      headers: { 'content-type': 'application/json', origin: h.url },
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { csrfToken: string }).csrfToken;
  }

  async function identitiesOf(browser: Browser): Promise<{ id: string; provider: string }[]> {
    const response = await browser.request(`${h.url}/api/oidc/identities`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { identities: { id: string; provider: string }[] }).identities;
  }

  it('a stolen access token cannot start a link, so the thief never signs on as the victim', async () => {
    const victim = new Browser();
    await register(victim, 'sif@asgard.example');
    const grant = await fetch(`${h.url}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'sif@asgard.example', password: PASSWORD }),
    });
    const { accessToken } = (await grant.json()) as { accessToken: string };

    // The attack: the thief's own browser, the victim's access token.
    const thief = new Browser();
    const started = await thief.request(`${h.url}/api/oidc/idp/link`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const body = (await started.json()) as { url?: string; error?: { code: string } };
    if (started.status === 200 && body.url) {
      // Before the fix the link went through: finish it, so a failure shows the whole takeover.
      await thief.request(await h.authorize(thief, 'idp', 'mallory-sub', { startUrl: body.url }));
    }
    expect(started.status).toBe(403);
    expect(body.error?.code).toBe('reauthentication_required');
    expect(thief.cookie(h.url, '__Host-heimdall-oidc')).toBeUndefined();
    expect(await identitiesOf(victim)).toEqual([]);

    // The thief's own sign-on at the provider does not land in the victim's account.
    const later = new Browser();
    await h.signIn(later, 'idp', 'mallory-sub');
    expect((await sessionOf(later, h.url))?.user.email).not.toBe('sif@asgard.example');
  });

  it('a cookie session whose last proof is older than REAUTH_MAX_AGE can neither link nor unlink', async () => {
    const browser = new Browser();
    const csrf = await register(browser, 'bragi@asgard.example');
    const headers = { origin: h.url, 'x-csrf-token': csrf };
    const fresh = await browser.request(`${h.url}/api/oidc/rogue/link`, { method: 'POST', headers });
    expect(fresh.status).toBe(200);
    const { url } = (await fresh.json()) as { url: string };
    expect((await browser.request(await h.authorize(browser, 'rogue', 'anon-sub', { startUrl: url }))).status).toBe(
      302,
    );
    const [identity] = await identitiesOf(browser);
    expect(identity?.provider).toBe('rogue');

    h.clock.advance(ELEVEN_MINUTES);
    const stale = await browser.request(`${h.url}/api/oidc/idp/link`, { method: 'POST', headers });
    expect(stale.status).toBe(403);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe('reauthentication_required');
    const unlink = await browser.request(`${h.url}/api/oidc/identities/${identity!.id}`, {
      method: 'DELETE',
      headers,
    });
    expect(unlink.status).toBe(403);
    expect(((await unlink.json()) as { error: { code: string } }).error.code).toBe('reauthentication_required');
    expect(await identitiesOf(browser)).toHaveLength(1);
  });
});
