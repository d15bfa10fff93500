import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateTotp } from '../../src/core/totp.js';
import { launchChromium } from '../helpers/chromium.js';
import { type OidcHarness, startOidcHarness } from '../helpers/oidc-harness.js';
import { TOTP_STEP_MS } from '../helpers/second-factors.js';
import { PASSWORD } from '../helpers/test-app.js';
import { PageSet, signUpInPage } from '../helpers/web-pages.js';
import { requireBuiltWebApp } from '../helpers/web-servers.js';

const ELEVEN_MINUTES = 11 * 60_000;

let pages: PageSet;
let harness: OidcHarness;

beforeAll(async () => {
  requireBuiltWebApp();
  pages = new PageSet(await launchChromium());
  // Heimdall at http://localhost:<port>, the providers on 127.0.0.1: another site, as on the web.
  harness = await startOidcHarness({}, { publicHost: 'localhost' });
});
afterEach(async () => {
  await pages.closeAll();
});
afterAll(async () => {
  await harness?.close();
  await pages?.browser.close();
});

async function signInAtProvider(page: Page, sub: string): Promise<void> {
  await page.waitForURL((url) => url.origin === harness.idp.issuer && url.pathname.startsWith('/interaction/'));
  await page.getByLabel('Account').selectOption(sub);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Second factors and linked accounts in Chromium, with a real OpenID provider on another site. */
describe('second factors and linked accounts with third-party sign-on, in Chromium', () => {
  it('a sign-on of an account with an authenticator app ends on the two-step page, then in the account', async () => {
    const { page, problems } = await pages.open();
    await page.goto(`${harness.url}/signin`);
    await page.getByRole('link', { name: 'Continue with Test IdP' }).click();
    await signInAtProvider(page, 'odin-sub');
    await page.getByTestId('signed-in-email').waitFor();
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
    await page.getByLabel('Code from the app').fill(generateTotp(secret, harness.clock.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    // The provider still has its own session for this browser: it answers at once, and the answer lands here.
    await page.getByRole('link', { name: 'Continue with Test IdP' }).click();
    await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/second-factor');
    // Only the short-lived, Strict 2fa cookie: no session until the second factor.
    const cookies = await page.context().cookies(harness.url);
    expect(cookies.map((c) => [c.name, c.sameSite, c.httpOnly])).toEqual([['__Host-heimdall-2fa', 'Strict', true]]);
    harness.clock.advance(TOTP_STEP_MS);
    await page.getByLabel('Code from your authenticator app').fill(generateTotp(secret, harness.clock.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByTestId('signed-in-email').waitFor();
    expect(problems).toEqual([]);
  });

  it('the devices page lists linked accounts beside the sessions and removes one after “Confirm it’s you”', async () => {
    const { page, problems } = await pages.open();
    await signUpInPage(page, harness.url, 'saga@asgard.example');
    await page.getByRole('button', { name: 'Link Test IdP' }).click();
    await signInAtProvider(page, 'mallory-sub');
    await page.getByText('Test IdP is now linked to your account.').waitFor();

    await page.getByRole('link', { name: 'Devices' }).click();
    const linked = page.getByRole('region', { name: 'Linked accounts' });
    await linked.getByText('odin@asgard.example').waitFor();
    harness.clock.advance(ELEVEN_MINUTES);
    await linked.getByRole('button', { name: 'Remove linked account Test IdP (odin@asgard.example)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await linked.waitFor({ state: 'detached' });
    const saga = (await harness.services.users.findByEmail('saga@asgard.example'))!;
    expect(await harness.services.signOn.listIdentities(saga.id)).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('“Sign out everywhere” can remove the linked accounts too', async () => {
    const { page, problems } = await pages.open();
    await signUpInPage(page, harness.url, 'vidar@asgard.example');
    await page.getByRole('button', { name: 'Link Test IdP' }).click();
    await signInAtProvider(page, 'anon-sub');
    await page.getByText('Test IdP is now linked to your account.').waitFor();
    await page.getByLabel('Also remove my linked accounts (1)').check();
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const vidar = (await harness.services.users.findByEmail('vidar@asgard.example'))!;
    expect(await harness.services.signOn.listIdentities(vidar.id)).toEqual([]);
    expect(await harness.services.sessions.list(vidar.id)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
