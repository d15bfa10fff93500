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

  /** Links `login` at `provider` to the account signed in in `browser` (its session must be fresh). */
  async function link(browser: Browser, csrf: string, provider: string, login: string): Promise<void> {
    const started = await browser.request(`${h.url}/api/oidc/${provider}/link`, {
      method: 'POST',
      headers: { origin: h.url, 'x-csrf-token': csrf },
    });
    expect(started.status).toBe(200);
    const { url } = (await started.json()) as { url: string };
    await browser.request(await h.authorize(browser, provider, login, { startUrl: url }));
  }

  it('linked identities are listed beside the sessions, and sign-out-everywhere can remove them with the sessions', async () => {
    const victim = new Browser();
    const csrf = await register(victim, 'saga@asgard.example');
    await link(victim, csrf, 'rogue', 'anon-sub');
    const listing = (await (await victim.request(`${h.url}/api/sessions`)).json()) as {
      sessions: unknown[];
      identities: { provider: string; label: string }[];
    };
    expect(listing.sessions).toHaveLength(1);
    expect(listing.identities).toEqual([expect.objectContaining({ provider: 'rogue', label: 'Rogue' })]);

    const everywhere = (body: unknown, token = csrf) =>
      victim.request(`${h.url}/api/auth/logout-everywhere`, {
        method: 'POST',
        headers: { origin: h.url, 'x-csrf-token': token, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // Removing identities is unlinking: a stale session is asked to confirm first, and nothing ends meanwhile.
    h.clock.advance(ELEVEN_MINUTES);
    const stale = await everywhere({ removeIdentities: true });
    expect(stale.status).toBe(403);
    expect((await sessionOf(victim, h.url))?.user.email).toBe('saga@asgard.example');
    const fresh = await victim.request(`${h.url}/api/auth/reauthenticate`, {
      method: 'POST',
      headers: { origin: h.url, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ password: PASSWORD }),
    });
    const { csrfToken } = (await fresh.json()) as { csrfToken: string };
    expect((await everywhere({ removeIdentities: true }, csrfToken)).status).toBe(204);
    expect(await sessionOf(victim, h.url)).toBeNull();

    // The identity is gone with the sessions: signing on with it now makes a new account, not this one.
    const thief = new Browser();
    await h.signIn(thief, 'rogue', 'anon-sub');
    expect((await sessionOf(thief, h.url))?.user.email).not.toBe('saga@asgard.example');
  });

  it('a password-less account keeps its original identity when signing out everywhere removes the others', async () => {
    const owner = new Browser();
    await h.signIn(owner, 'idp', 'alice-sub');
    const csrf = ((await (await owner.request(`${h.url}/api/session`)).json()) as { csrfToken: string }).csrfToken;
    h.clock.advance(1_000);
    await link(owner, csrf, 'rogue', 'frigg-sub');
    const answer = await owner.request(`${h.url}/api/auth/logout-everywhere`, {
      method: 'POST',
      headers: { origin: h.url, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ removeIdentities: true }),
    });
    expect(answer.status).toBe(204);
    const again = new Browser();
    await h.signIn(again, 'idp', 'alice-sub');
    const remaining = (await (await again.request(`${h.url}/api/oidc/identities`)).json()) as {
      identities: { provider: string }[];
    };
    expect(remaining.identities.map((i) => i.provider)).toEqual(['idp']);
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
