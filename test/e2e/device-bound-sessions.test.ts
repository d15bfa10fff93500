import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS } from '../helpers/chromium.js';
import { makeDeviceKey, signProof } from '../helpers/dbsc-keys.js';
import { send } from '../helpers/https-client.js';
import { type HttpsProxy, startHttpsProxy } from '../helpers/https-proxy.js';
import { addVirtualAuthenticator, assertInPage, pageFetch, signUpWithPasskey } from '../helpers/passkey-browser.js';
import { type RunningHeimdall, requireBuiltWebApp, startHeimdall } from '../helpers/web-servers.js';

/**
 * Device-bound sessions in Chromium with its own DBSC implementation and software keys (issue 21). DBSC needs HTTPS
 * with a certificate the browser accepts, so Heimdall runs behind a TLS proxy whose self-signed certificate Chromium
 * trusts by its key (`--ignore-certificate-errors-spki-list`; with `--ignore-certificate-errors` Chromium 156
 * registers nothing, nor on http://localhost). The bound cookie lives 5 s, the shortest DBSC_COOKIE_TTL allows.
 */
const DBSC_FEATURES = [
  '--enable-features=DeviceBoundSessions,EnableBoundSessionCredentialsSoftwareKeysForManualTesting,DeviceBoundSessionPersistence',
  '--disable-features=DeviceBoundSessionsRefreshQuota',
];
const PASSWORD = 'correct horse battery staple';
const BOUND = '__Host-heimdall-bound';
/** Past the 5 s cookie and the 10 s grace. */
const PAST_EXPIRY_MS = 16_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('device-bound sessions in Chromium', () => {
  let proxy: HttpsProxy;
  let server: RunningHeimdall;
  let dbscBrowser: Browser;
  let plainBrowser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    requireBuiltWebApp();
    let backend = 0;
    proxy = await startHttpsProxy(() => backend);
    server = await startHeimdall({ HEIMDALL_PUBLIC_URL: proxy.origin, DBSC_COOKIE_TTL: '5s' });
    backend = server.port;
    const trust = `--ignore-certificate-errors-spki-list=${proxy.spki}`;
    const launch = (extra: string[]) =>
      chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: [...CHROMIUM_FLAGS, trust, ...extra],
      });
    [dbscBrowser, plainBrowser] = await Promise.all([launch(DBSC_FEATURES), launch([])]);
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  afterAll(async () => {
    await Promise.all([dbscBrowser?.close(), plainBrowser?.close()]);
    await server?.close();
    await proxy?.close();
  });

  /** Signs a new account up in a fresh page of `browser` (the API call the SPA makes) and returns the page. */
  async function signUp(browser: Browser, email: string): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${proxy.origin}/signin`);
    const registered = await pageFetch(page, '/api/auth/register', {
      method: 'POST',
      body: { email, password: PASSWORD },
    });
    expect(registered.status).toBe(201);
    return page;
  }

  /**
   * Waits (with a deadline) until the page's session reports `deviceBound`: Chromium registers in the background.
   * The page keeps asking meanwhile, as an SPA does right after signing in, and every answer must be 200: requests
   * racing the registration (sent before its answer set the first bound cookie) are not refused.
   */
  async function waitUntilBound(page: Page): Promise<{ id: string }> {
    // Generous: on a loaded machine (the whole suite on 2 cores) Chromium's background registration can take seconds.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { status, body } = await pageFetch<{ session: { id: string; deviceBound: boolean } }>(page, '/api/session');
      expect(status).toBe(200);
      if (body.session.deviceBound) return body.session;
      if (Date.now() > deadline) throw new Error('Chromium did not bind the session');
      await sleep(5);
    }
  }

  /** GET /api/session from Node with the given cookies, as a thief that copied them would. */
  function fromElsewhere(cookies: { name: string; value: string }[]) {
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    return send(`${proxy.origin}/api/session`, { ca: proxy.ca, headers: { cookie } });
  }

  const registrations = () => server.seen.filter((r) => r.url === '/api/dbsc/register').length;
  const refreshes = () => server.seen.filter((r) => r.url === '/api/dbsc/refresh').length;

  it('binds the session at sign-in and keeps the browser signed in across the bound cookie’s expiry', async () => {
    const page = await signUp(dbscBrowser, 'bound@asgard.example');
    const session = await waitUntilBound(page);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === BOUND)).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
    const before = refreshes();
    await sleep(PAST_EXPIRY_MS);
    // The browser renewed the bound cookie by itself (proof signed with its key); its requests go on working.
    const after = await pageFetch<{ session: { id: string; deviceBound: boolean } }>(page, '/api/session');
    expect(after.status).toBe(200);
    expect(after.body.session).toMatchObject({ id: session.id, deviceBound: true });
    expect(refreshes()).toBeGreaterThan(before);
    // The devices page says which session is bound.
    await page.goto(`${proxy.origin}/devices`);
    await expect.poll(() => page.getByText('Bound to device').count()).toBe(1);
  }, 60_000);

  it('refuses every cookie copied into another client once the bound cookie has expired', async () => {
    const page = await signUp(dbscBrowser, 'copied@asgard.example');
    await waitUntilBound(page);
    const copied = (await page.context().cookies()).filter((c) => c.name.startsWith('__Host-heimdall'));
    expect(copied.map((c) => c.name).sort()).toEqual(['__Host-heimdall', BOUND]);
    const sessionOnly = copied.filter((c) => c.name !== BOUND);
    expect((await fromElsewhere(copied)).status).toBe(200);
    await sleep(PAST_EXPIRY_MS);
    for (const cookies of [copied, sessionOnly]) {
      const late = await fromElsewhere(cookies);
      expect(late.status).toBe(401);
      expect(late.json<{ error: { code: string } }>().error.code).toBe('unauthenticated');
    }
    // Meanwhile the browser itself, which holds the key, is still signed in.
    expect((await pageFetch(page, '/api/session')).status).toBe(200);
  }, 60_000);

  it('refuses a refresh the thief signs with a key of their own, and audits it', async () => {
    const page = await signUp(dbscBrowser, 'thief@asgard.example');
    const session = await waitUntilBound(page);
    const cookie = (await page.context().cookies())
      .filter((c) => c.name === '__Host-heimdall')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const refresh = (headers: Record<string, string>) =>
      send(`${proxy.origin}/api/dbsc/refresh`, {
        method: 'POST',
        ca: proxy.ca,
        headers: { cookie, origin: proxy.origin, 'sec-secure-session-id': `"${session.id}"`, ...headers },
      });
    const asked = await refresh({});
    expect(asked.status).toBe(403);
    const challenge = /^"([^"]+)"/.exec(String(asked.headers['secure-session-challenge']))![1]!;
    const thiefKey = await makeDeviceKey();
    const forged = await refresh({ 'secure-session-response': `"${await signProof(thiefKey, challenge)}"` });
    expect(forged.status).toBe(403);
    expect(forged.headers['set-cookie'] ?? []).toEqual([]);
    const { events } = await server.services.audit.list({ type: 'session.device_refresh_refused', limit: 10 });
    expect(events.map((e) => e.sessionId)).toContain(session.id);
    // The browser, refreshing with its own key, is unaffected.
    await sleep(PAST_EXPIRY_MS);
    expect((await pageFetch(page, '/api/session')).status).toBe(200);
  }, 60_000);

  it('binds a passkey sign-in too (Chromium’s own WebAuthn and DBSC together)', async () => {
    // The passkey is made in one context and copied, key and all, into a fresh one, as a synced passkey reaches a
    // second device: that context holds no session, bound or not, before the passkey signs it in. (Signing out of a
    // bound session and straight back in within one context left Chromium without a new binding for 30 s in two
    // loaded full runs; the reason was not established.)
    const maker = await dbscBrowser.newContext();
    contexts.push(maker);
    const makerPage = await maker.newPage();
    const made = await addVirtualAuthenticator(maker, makerPage);
    await signUpWithPasskey(makerPage, proxy.origin, 'passkey@asgard.example', PASSWORD);
    const { credentials } = await made.cdp.send('WebAuthn.getCredentials', { authenticatorId: made.authenticatorId });
    const [credential] = credentials;
    expect(credential).toBeDefined();

    const context = await dbscBrowser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const holder = await addVirtualAuthenticator(context, page);
    await holder.cdp.send('WebAuthn.addCredential', {
      authenticatorId: holder.authenticatorId,
      credential: credential!,
    });
    await page.goto(`${proxy.origin}/signin`);
    const { assertion } = await assertInPage(page, '/api/auth/passkey/options');
    const signedIn = await pageFetch<{ session: { methods: string[] } }>(page, '/api/auth/passkey', {
      method: 'POST',
      body: { response: assertion },
    });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.session.methods).toEqual(['passkey']);
    await waitUntilBound(page);
  }, 60_000);

  it('leaves a browser without DBSC with an ordinary session', async () => {
    const before = registrations();
    const page = await signUp(plainBrowser, 'plain@asgard.example');
    await sleep(1_000);
    const answer = await pageFetch<{ session: { deviceBound: boolean } }>(page, '/api/session');
    expect(answer.status).toBe(200);
    expect(answer.body.session.deviceBound).toBe(false);
    expect(registrations()).toBe(before);
    // Its cookie, copied, works elsewhere as any ordinary session cookie does: nothing bound it.
    const copied = (await page.context().cookies()).filter((c) => c.name === '__Host-heimdall');
    expect((await fromElsewhere(copied)).status).toBe(200);
  }, 30_000);
});
