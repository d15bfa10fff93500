import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PENDING_SIGN_ON_TTL_MS } from '../../src/core/sign-on-service.js';
import { Browser, locationOf } from '../helpers/browser.js';
import { type OidcHarness, sessionOf, startOidcHarness } from '../helpers/oidc-harness.js';
import { PASSWORD } from '../helpers/test-app.js';

const PRE_LOGIN = '__Host-heimdall-oidc';
const SESSION = '__Host-heimdall';

/** A loopback port with nothing listening: a provider that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Signs up with a password in `browser` (over the real socket) and returns its CSRF token. */
async function register(h: OidcHarness, browser: Browser, email: string): Promise<string> {
  const response = await browser.request(`${h.url}/api/auth/register`, {
    method: 'POST',
    body: JSON.stringify({ email, password: PASSWORD }),
    headers: { 'content-type': 'application/json', origin: h.url },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { csrfToken: string }).csrfToken;
}

async function csrfOf(h: OidcHarness, browser: Browser): Promise<string> {
  const response = await browser.request(`${h.url}/api/session`);
  return ((await response.json()) as { csrfToken: string }).csrfToken;
}

/** POST /api/oidc/:provider/link from the account page, then the whole trip through the provider. */
async function link(h: OidcHarness, browser: Browser, provider: string, login: string): Promise<Response> {
  const response = await browser.request(`${h.url}/api/oidc/${provider}/link?returnTo=/account`, {
    method: 'POST',
    headers: { origin: h.url, 'x-csrf-token': await csrfOf(h, browser) },
  });
  expect(response.status).toBe(200);
  const { url } = (await response.json()) as { url: string };
  const callback = await h.authorize(browser, provider, login, { startUrl: url });
  return browser.request(callback);
}

async function identitiesOf(h: OidcHarness, browser: Browser) {
  const response = await browser.request(`${h.url}/api/oidc/identities`);
  expect(response.status).toBe(200);
  return (await response.json()) as {
    identities: { id: string; provider: string; label: string }[];
    hasPassword: boolean;
  };
}

describe('OIDC sign-on against a real provider, over real HTTP', () => {
  let h: OidcHarness;
  let downPort: number;

  beforeAll(async () => {
    downPort = await closedPort();
    h = await startOidcHarness({
      OIDC_DOWN_ISSUER: `http://127.0.0.1:${downPort}`,
      OIDC_DOWN_CLIENT_ID: 'heimdall',
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GET /api/oidc/providers lists each provider with its label and where to start', async () => {
    const response = await fetch(`${h.url}/api/oidc/providers`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      providers: [
        { name: 'down', label: 'Down', startUrl: `${h.url}/api/oidc/down/start` },
        { name: 'idp', label: 'Test IdP', startUrl: `${h.url}/api/oidc/idp/start` },
        { name: 'rogue', label: 'Rogue', startUrl: `${h.url}/api/oidc/rogue/start` },
      ],
    });
  });

  it('start sends the browser to the provider with state, nonce and PKCE S256, bound by a Lax pre-login cookie', async () => {
    const browser = new Browser();
    const response = await browser.request(`${h.url}/api/oidc/idp/start`);
    expect(response.status).toBe(302);
    const target = new URL(locationOf(response, h.url));
    expect(target.origin).toBe(h.idp.issuer);
    const params = Object.fromEntries(target.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: 'heimdall',
      redirect_uri: `${h.url}/api/oidc/idp/callback`,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    for (const secret of [params.state, params.nonce, params.code_challenge]) expect(secret).toMatch(/^[\w-]{43}$/);
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(
      new RegExp(`^${PRE_LOGIN}=[\\w-]{43}; Max-Age=600; Path=/; HttpOnly; Secure; SameSite=Lax$`),
    );
    expect(cookie).not.toContain(params.state!);
  });

  it('a first sign-on creates the account, sets the session cookie and lands on returnTo', async () => {
    const browser = new Browser();
    const response = await h.signIn(browser, 'idp', 'alice-sub', { returnTo: '/account?tab=devices' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${h.url}/account?tab=devices`);
    const cookies = response.headers.getSetCookie();
    expect(cookies).toContainEqual(expect.stringMatching(new RegExp(`^${PRE_LOGIN}=;`)));
    expect(cookies).toContainEqual(
      expect.stringMatching(new RegExp(`^${SESSION}=[\\w-]{43}; Path=/; HttpOnly; Secure; SameSite=Strict$`)),
    );
    expect(browser.cookie(h.url, PRE_LOGIN)).toBeUndefined();

    const me = await sessionOf(browser, h.url);
    expect(me?.user).toMatchObject({ email: 'alice@example.com', name: 'Alice' });
    expect(me?.session.provider).toBe('idp');
    const devices = await browser.request(`${h.url}/api/sessions`);
    expect(((await devices.json()) as { sessions: { provider: string }[] }).sessions[0]?.provider).toBe('idp');
    expect(h.audits('auth.login').at(-1)).toMatchObject({
      method: 'oidc',
      provider: 'idp',
      userId: me?.user.id,
      createdAccount: true,
    });
    const recorded = await h.services.audit.list({ userId: me?.user.id, type: 'auth.login', limit: 5 });
    expect(recorded.events[0]?.details).toMatchObject({ method: 'oidc', provider: 'idp', createdAccount: true });

    // The account has no password: password sign-in is impossible, the identity is its only way in.
    const login = await fetch(`${h.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@example.com', password: PASSWORD }),
    });
    expect(login.status).toBe(401);
    const listed = await identitiesOf(h, browser);
    expect(listed).toMatchObject({ hasPassword: false, identities: [{ provider: 'idp', label: 'Test IdP' }] });
  });

  it('signing in again with the same identity reaches the same account', async () => {
    const first = new Browser();
    await h.signIn(first, 'idp', 'alice-sub');
    const second = new Browser();
    await h.signIn(second, 'idp', 'alice-sub');
    expect((await sessionOf(second, h.url))?.user.id).toBe((await sessionOf(first, h.url))?.user.id);
    expect(h.audits('auth.login').at(-1)).toMatchObject({ createdAccount: false, linkedIdentity: false });
  });

  it('signing in over an existing session revokes that session (fixation)', async () => {
    const browser = new Browser();
    await register(h, browser, 'heimdallr@asgard.example');
    const oldCookie = browser.cookie(h.url, SESSION)!;
    await h.signIn(browser, 'idp', 'alice-sub');
    expect(browser.cookie(h.url, SESSION)).not.toBe(oldCookie);
    const stale = await fetch(`${h.url}/api/session`, { headers: { cookie: `${SESSION}=${oldCookie}` } });
    expect(stale.status).toBe(401);
  });

  it('a password account links a provider from the account page, then signs in with it', async () => {
    const browser = new Browser();
    await register(h, browser, 'tyr@asgard.example');
    const linked = await link(h, browser, 'rogue', 'anon-sub');
    expect(linked.headers.get('location')).toBe(`${h.url}/account`);
    expect(h.audits('identity.linked').at(-1)).toMatchObject({ provider: 'rogue' });
    expect(await identitiesOf(h, browser)).toMatchObject({ hasPassword: true, identities: [{ provider: 'rogue' }] });

    const elsewhere = new Browser();
    await h.signIn(elsewhere, 'rogue', 'anon-sub');
    expect((await sessionOf(elsewhere, h.url))?.user.email).toBe('tyr@asgard.example');
  });

  it('linking needs the CSRF token, and an identity of another account is refused', async () => {
    const browser = new Browser();
    await register(h, browser, 'vidar@asgard.example');
    const forged = await browser.request(`${h.url}/api/oidc/idp/link`, { method: 'POST', headers: { origin: h.url } });
    expect(forged.status).toBe(403);
    const taken = await link(h, browser, 'idp', 'alice-sub');
    expect(taken.headers.get('location')).toBe(`${h.url}/?error=identity_taken`);
    expect((await identitiesOf(h, browser)).identities).toEqual([]);
  });

  it('a link whose session ended while at the provider is refused', async () => {
    const browser = new Browser();
    const csrf = await register(h, browser, 'vali@asgard.example');
    const started = await browser.request(`${h.url}/api/oidc/idp/link`, {
      method: 'POST',
      headers: { origin: h.url, 'x-csrf-token': csrf },
    });
    const { url } = (await started.json()) as { url: string };
    const callback = await h.authorize(browser, 'idp', 'odin-sub', { startUrl: url });
    await browser.request(`${h.url}/api/auth/logout`, {
      method: 'POST',
      headers: { origin: h.url, 'x-csrf-token': csrf },
    });
    const answer = await browser.request(callback);
    expect(answer.headers.get('location')).toBe(`${h.url}/?error=unauthenticated`);
  });

  it('unlinking never removes the last way to sign in', async () => {
    const browser = new Browser();
    await h.signIn(browser, 'idp', 'frigg-sub');
    h.clock.advance(1_000);
    await link(h, browser, 'rogue', 'frigg-sub');
    const { identities } = await identitiesOf(h, browser);
    expect(identities.map((i) => i.provider)).toEqual(['idp', 'rogue']);
    const unlink = (id: string) =>
      csrfOf(h, browser).then((csrf) =>
        browser.request(`${h.url}/api/oidc/identities/${id}`, {
          method: 'DELETE',
          headers: { origin: h.url, 'x-csrf-token': csrf },
        }),
      );
    expect((await unlink(identities[0]!.id)).status).toBe(204);
    const last = await unlink(identities[1]!.id);
    expect(last.status).toBe(400);
    expect(((await last.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    expect((await identitiesOf(h, browser)).identities.map((i) => i.provider)).toEqual(['rogue']);
    expect((await unlink('no-such-identity')).status).toBe(404);
  });

  it('declining at the provider lands on the SPA with ?error=access_denied, and is recorded', async () => {
    const browser = new Browser();
    const response = await h.signIn(browser, 'idp', 'alice-sub', { decline: true });
    expect(response.headers.get('location')).toBe(`${h.url}/?error=access_denied`);
    expect(response.headers.getSetCookie().some((c) => c.startsWith(`${SESSION}=`))).toBe(false);
    expect(h.audits('auth.login_failed').at(-1)).toMatchObject({ provider: 'idp', code: 'access_denied' });
  });

  it('an unknown or unreachable provider lands on the SPA with an error code', async () => {
    const unknown = await fetch(`${h.url}/api/oidc/nope/start`, { redirect: 'manual' });
    expect(unknown.headers.get('location')).toBe(`${h.url}/?error=unknown_provider`);
    const down = await fetch(`${h.url}/api/oidc/down/start`, { redirect: 'manual' });
    expect(down.headers.get('location')).toBe(`${h.url}/?error=provider_unavailable`);
    expect(down.headers.getSetCookie()).toEqual([]);
  });

  it('an attempt older than ten minutes is refused', async () => {
    const browser = new Browser();
    const callback = await h.authorize(browser, 'idp', 'alice-sub');
    h.clock.advance(PENDING_SIGN_ON_TTL_MS);
    const response = await browser.request(callback);
    expect(response.headers.get('location')).toBe(`${h.url}/?error=invalid_state`);
  });

  it('a new account needs an email and open registration; a known email is not linked unless configured', async () => {
    const anon = await h.signIn(new Browser(), 'idp', 'anon-sub');
    expect(anon.headers.get('location')).toBe(`${h.url}/?error=email_required`);
    await register(h, new Browser(), 'odin@asgard.example');
    // Verified by the provider, but OIDC_LINK_VERIFIED_EMAIL is off here.
    const verified = await h.signIn(new Browser(), 'idp', 'odin-sub');
    expect(verified.headers.get('location')).toBe(`${h.url}/?error=email_taken`);
  });
});
