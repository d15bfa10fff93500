import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { generateTotp } from '../../src/core/totp.js';
import { chromiumSuite } from '../helpers/chromium-suite.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { type OtherApp, startOtherApp } from '../helpers/other-app.js';
import { addVirtualAuthenticator, pageFetch, publicUrlEnv, signUpWithPasskey } from '../helpers/passkey-browser.js';
import { enrolTotp, TOTP_STEP_MS } from '../helpers/second-factors.js';
import { PASSWORD, signedUpClient } from '../helpers/test-app.js';
import { signUpInPage } from '../helpers/web-pages.js';

async function signInWithPassword(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Heimdall as the hosted sign-in page of another app (issue 20): out to Heimdall, back signed in. */
describe('hosted sign-in in Chromium', () => {
  const suite = chromiumSuite();
  let other: OtherApp | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
  });

  async function setUp(clock?: FakeClock, env: Record<string, string> = {}) {
    other = await startOtherApp();
    const heimdall = await suite.start({ ...env, HEIMDALL_ORIGINS: other.origin }, clock ? { clock } : {});
    other.heimdall = heimdall.origin;
    return { heimdall, app: other };
  }

  /**
   * An account with a password and a passkey (so a password sign-in asks for a second factor), signed out, and the
   * Chromium page holding the passkey on the hosted sign-in page with `returnTo` the other app's /back.
   */
  async function passkeyAccountAtSignIn(email: string) {
    // WebAuthn checks the origin against the public URL: Heimdall listens where HEIMDALL_PUBLIC_URL says.
    const { heimdall, app } = await setUp(undefined, publicUrlEnv());
    const { context, page, problems } = await suite.pages.open();
    await addVirtualAuthenticator(context, page);
    await signUpWithPasskey(page, heimdall.origin, email, PASSWORD);
    expect((await pageFetch(page, '/api/auth/logout', { method: 'POST' })).status).toBe(204);
    await page.goto(`${heimdall.origin}/signin?returnTo=${encodeURIComponent(`${app.origin}/back`)}`);
    return { heimdall, page, problems };
  }

  it('an app on an allowed origin sends the user to sign in and gets them back signed in', async () => {
    const { heimdall, app } = await setUp();
    await signedUpClient(heimdall.app, 'odin@asgard.example');
    const { page, problems } = await suite.pages.open();
    await page.goto(`${app.origin}/`);
    await page.getByText('Signed out').waitFor();
    await page.getByRole('link', { name: 'Sign in with Heimdall' }).click();
    await page.waitForURL(`${heimdall.origin}/signin?**`);
    await page.getByText(`After signing in you will go back to ${new URL(app.origin).host}.`).waitFor();
    await signInWithPassword(page, 'odin@asgard.example');

    await page.waitForURL(`${app.origin}/back?from=heimdall`);
    await page.getByText('Signed in as odin@asgard.example at /back').waitFor();
    // Signed in at Heimdall too: its own pages show the account.
    await page.goto(`${heimdall.origin}/account`);
    await page.getByTestId('signed-in-email').waitFor();
    expect(problems).toEqual([]);
  });

  it('after the second factor, too, and straight back when already signed in', async () => {
    const clock = new FakeClock(Date.now());
    const { heimdall, app } = await setUp(clock);
    const client = await signedUpClient(heimdall.app, 'frigg@asgard.example');
    const { secret } = await enrolTotp(client, clock);
    const { page, problems } = await suite.pages.open();
    const signInUrl = `${heimdall.origin}/signin?returnTo=${encodeURIComponent(`${app.origin}/back?from=heimdall`)}`;
    await page.goto(signInUrl);
    await signInWithPassword(page, 'frigg@asgard.example');
    await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
    clock.advance(TOTP_STEP_MS);
    await page.getByLabel('Code from your authenticator app').fill(generateTotp(secret, clock.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('Signed in as frigg@asgard.example at /back').waitFor();

    // Another visit to the sign-in page with the session alive asks nothing and goes straight back.
    await page.goto(`${app.origin}/elsewhere`);
    await page.getByText('Signed in as frigg@asgard.example at /elsewhere').waitFor();
    await page.goto(signInUrl);
    await page.waitForURL(`${app.origin}/back?from=heimdall`);
    await page.getByText('Signed in as frigg@asgard.example at /back').waitFor();
    expect(problems).toEqual([]);
  });

  it('a passkey sign-in goes back too', async () => {
    const { page, problems } = await passkeyAccountAtSignIn('freya@asgard.example');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByText('Signed in as freya@asgard.example at /back').waitFor();
    expect(problems).toEqual([]);
  });

  it('a password sign-in finished with a passkey as the second factor goes back too', async () => {
    const { heimdall, page, problems } = await passkeyAccountAtSignIn('sif@asgard.example');
    await signInWithPassword(page, 'sif@asgard.example');
    await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByText('Signed in as sif@asgard.example at /back').waitFor();
    await page.goto(`${heimdall.origin}/account`);
    const session = await pageFetch<{ session: { methods: string[] } }>(page, '/api/session');
    expect(session.body.session.methods).toEqual(['password', 'passkey']);
    expect(problems).toEqual([]);
  });

  it('a new account made from the sign-up page goes back too; an address not allowed leads to the account', async () => {
    const { heimdall, app } = await setUp();
    const { page, problems } = await suite.pages.open();
    await page.goto(`${heimdall.origin}/signin?returnTo=${encodeURIComponent(`${app.origin}/back`)}`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(`${heimdall.origin}/signup?returnTo=**`);
    await page.getByLabel('Email').fill('loki@asgard.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Signed in as loki@asgard.example at /back').waitFor();

    // 127.0.0.1 is not in HEIMDALL_ORIGINS (and another site): the browser stays on Heimdall.
    const { page: second } = await suite.pages.open();
    const elsewhere = app.origin.replace('localhost', '127.0.0.1');
    await signUpInPage(second, heimdall.origin, 'thor@asgard.example');
    await second.goto(`${heimdall.origin}/signin?returnTo=${encodeURIComponent(`${elsewhere}/back`)}`);
    await second.waitForURL(`${heimdall.origin}/account`);
    await second.getByTestId('signed-in-email').waitFor();
    // A path of Heimdall's own is followed; one back to a sign-in page is not (it would only send the browser on).
    await second.goto(`${heimdall.origin}/signin?returnTo=${encodeURIComponent('/devices')}`);
    await second.waitForURL(`${heimdall.origin}/devices`);
    await second.getByRole('heading', { name: 'Devices' }).waitFor();
    await second.goto(`${heimdall.origin}/signin?returnTo=${encodeURIComponent('/signin?x=1')}`);
    await second.waitForURL(`${heimdall.origin}/account`);
    await second.getByTestId('signed-in-email').waitFor();
    expect(problems).toEqual([]);
  });
});
