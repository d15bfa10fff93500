import type { IncomingMessage } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { type OidcHarness, startOidcHarness } from '../helpers/oidc-harness.js';
import { type OtherApp, startOtherApp } from '../helpers/other-app.js';
import { PageSet, signUpInPage } from '../helpers/web-pages.js';
import { requireBuiltWebApp } from '../helpers/web-servers.js';

/** A request to Heimdall's callback, as it arrived: which cookies came along, and how the browser labelled it. */
interface Callback {
  secFetchSite: string | undefined;
  cookieNames: string[];
}

let browser: Browser;
let pages: PageSet;
let harness: OidcHarness;
let otherApp: OtherApp;
const callbacks: Callback[] = [];

function recordCallback(request: IncomingMessage): void {
  if (!request.url?.startsWith('/api/oidc/idp/callback')) return;
  const site = request.headers['sec-fetch-site'];
  callbacks.push({
    secFetchSite: Array.isArray(site) ? site[0] : site,
    cookieNames: (request.headers.cookie ?? '').split(';').map((c) => c.trim().split('=')[0]!),
  });
}

beforeAll(async () => {
  requireBuiltWebApp();
  browser = await launchChromium();
  pages = new PageSet(browser);
  // Heimdall at http://localhost:<port>, the providers at http://127.0.0.1:<port>: two sites, as on the web. Another
  // app of the system on another port of localhost uses Heimdall as its hosted sign-in page.
  otherApp = await startOtherApp();
  harness = await startOidcHarness({ HEIMDALL_ORIGINS: otherApp.origin }, { publicHost: 'localhost' });
  otherApp.heimdall = harness.url;
  harness.app.server.prependListener('request', recordCallback);
});

afterEach(async () => {
  await pages.closeAll();
  callbacks.length = 0;
});

afterAll(async () => {
  harness?.app.server.off('request', recordCallback);
  await harness?.close();
  await otherApp?.close();
  await browser?.close();
});

/** On the provider's own sign-in page (another site): picks the account and signs in. */
async function signInAtProvider(page: Page, sub: string): Promise<void> {
  await page.waitForURL((url) => url.origin === harness.idp.issuer && url.pathname.startsWith('/interaction/'));
  await page.getByLabel('Account').selectOption(sub);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('third-party sign-on in Chromium, against a real OpenID provider', () => {
  it('sends the user back to the app that asked (returnTo on an origin of HEIMDALL_ORIGINS), signed in', async () => {
    const { page, problems } = await pages.open();
    await page.goto(`${otherApp.origin}/`);
    await page.getByRole('link', { name: 'Sign in with Heimdall' }).click();
    await page.getByRole('link', { name: 'Continue with Test IdP' }).click();
    await signInAtProvider(page, 'alice-sub');
    // Provider (another site) → Heimdall's callback → the app: the Strict session cookie still goes with the app's
    // own same-site requests to Heimdall.
    await page.waitForURL(`${otherApp.origin}/back?from=heimdall`);
    await page.getByText('Signed in as alice@example.com at /back').waitFor();
    expect(problems).toEqual([]);
  });

  it('"Continue with" goes to the provider on another site and comes back signed in, shown on the devices page', async () => {
    expect(new URL(harness.url).hostname).toBe('localhost');
    expect(new URL(harness.idp.issuer).hostname).toBe('127.0.0.1');
    const { context, page, problems } = await pages.open();
    await page.goto(`${harness.url}/signin`);
    await page.getByRole('link', { name: 'Continue with Test IdP' }).click();
    await signInAtProvider(page, 'alice-sub');

    await page.getByTestId('signed-in-email').waitFor();
    expect(await page.getByTestId('signed-in-email').textContent()).toBe('alice@example.com');
    expect(new URL(page.url()).pathname).toBe('/account');
    // The way back was a cross-site navigation: the Lax pre-login cookie went along (nothing else was set yet).
    expect(callbacks).toEqual([{ secFetchSite: 'cross-site', cookieNames: ['__Host-heimdall-oidc'] }]);
    // Afterwards: the ordinary Strict session cookie, and the single-use pre-login cookie gone.
    const cookies = await context.cookies(harness.url);
    expect(cookies.map((c) => [c.name, c.sameSite, c.httpOnly, c.secure])).toEqual([
      ['__Host-heimdall', 'Strict', true, true],
    ]);

    await page.getByRole('link', { name: 'Devices' }).click();
    const thisDevice = page
      .getByRole('region', { name: 'Signed-in devices' })
      .getByRole('listitem')
      .filter({ hasText: 'This device' });
    await thisDevice.getByText('via Test IdP').waitFor();

    // The account has no password, so its one linked account cannot be unlinked: the API's reason is shown.
    await page.getByRole('link', { name: 'Account' }).click();
    const linked = page.getByRole('list', { name: 'Linked accounts' });
    await linked.getByText('alice@example.com').waitFor();
    expect(await page.getByRole('heading', { name: 'Change password' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Unlink Test IdP (alice@example.com)' }).click();
    await page
      .getByRole('alert')
      .getByText('This is the only way to sign in to this account; link another provider before removing it.')
      .waitFor();
    expect(await linked.getByRole('listitem').count()).toBe(1);
    const alice = (await harness.services.users.findByEmail('alice@example.com'))!;
    expect(await harness.services.signOn.listIdentities(alice.id)).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it('links a provider from the account page over a cross-site return without the session cookie, then unlinks it', async () => {
    const { page, problems } = await pages.open();
    await signUpInPage(page, harness.url, 'frigg@asgard.example');
    const frigg = (await harness.services.users.findByEmail('frigg@asgard.example'))!;
    const linked = page.getByRole('region', { name: 'Linked accounts' });
    await linked.getByText('No account is linked yet.').waitFor();

    await linked.getByRole('button', { name: 'Link Test IdP' }).click();
    await signInAtProvider(page, 'frigg-sub');
    await linked.getByText('Test IdP is now linked to your account.').waitFor();
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/account');
    await linked.getByRole('list', { name: 'Linked accounts' }).getByText('frigg@asgard.example').waitFor();
    // SameSite=Strict kept the session cookie off the provider's cross-site redirect; the attempt itself named the
    // account, so the link still went to the one that started it, and made no new session.
    expect(callbacks).toEqual([{ secFetchSite: 'cross-site', cookieNames: ['__Host-heimdall-oidc'] }]);
    expect((await harness.services.signOn.listIdentities(frigg.id)).map((i) => i.provider)).toEqual(['idp']);
    expect(await harness.services.sessions.list(frigg.id)).toHaveLength(1);
    await page.getByTestId('signed-in-email').waitFor();

    // Another account cannot take the same provider account: the refusal comes back as /?error=identity_taken and
    // the signed-in page shows it on the account page.
    const other = await pages.open();
    await signUpInPage(other.page, harness.url, 'thor@asgard.example');
    await other.page.getByRole('button', { name: 'Link Test IdP' }).click();
    await signInAtProvider(other.page, 'frigg-sub');
    await other.page
      .getByRole('alert')
      .getByText('That provider account is already linked to another Heimdall account.')
      .waitFor();
    expect(new URL(other.page.url()).pathname).toBe('/account');
    await other.page.getByText('No account is linked yet.').waitFor();

    // With a password to fall back on, unlinking is allowed.
    await linked.getByRole('button', { name: 'Unlink Test IdP (frigg@asgard.example)' }).click();
    await linked.getByText('No account is linked yet.').waitFor();
    expect(await harness.services.signOn.listIdentities(frigg.id)).toEqual([]);
    expect([...problems, ...other.problems]).toEqual([]);
  });
});
