import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSuite } from '../helpers/chromium-suite.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { addVirtualAuthenticator, pageFetch, publicUrlEnv } from '../helpers/passkey-browser.js';
import { signUpInPage } from '../helpers/web-pages.js';

const ELEVEN_MINUTES = 11 * 60_000;

/**
 * Passkeys through the web app, against Chromium's own WebAuthn implementation with a virtual authenticator: the
 * browser creates and signs every credential, the server verifies them with @simplewebauthn/server.
 */
describe('passkeys in Chromium', () => {
  const suite = chromiumSuite();

  async function openSecurityPage(page: Page): Promise<void> {
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('heading', { name: 'Passkeys' }).waitFor();
  }

  async function addPasskey(page: Page, name: string): Promise<void> {
    await page.getByLabel('Name for a new passkey (optional)').fill(name);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('list', { name: 'Passkeys' }).getByText(name, { exact: true }).waitFor();
  }

  it('a passkey added on the Security page signs in alone, without an email, and is renamed and removed', async () => {
    const heimdall = await suite.start(publicUrlEnv());
    const { context, page, problems } = await suite.pages.open();
    const authenticator = await addVirtualAuthenticator(context, page);
    await signUpInPage(page, heimdall.origin, 'odin@asgard.example');
    await openSecurityPage(page);
    await addPasskey(page, 'Test laptop');
    const [credential] = await authenticator.credentials();
    expect(credential).toMatchObject({ isResidentCredential: true });
    expect((await pageFetch(page, '/api/session')).body).toMatchObject({ user: { secondFactors: ['passkey'] } });

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByTestId('signed-in-email').waitFor();
    expect(await page.getByTestId('signed-in-email').textContent()).toBe('odin@asgard.example');
    expect((await pageFetch(page, '/api/session')).body).toMatchObject({ session: { methods: ['passkey'] } });
    expect((await authenticator.credentials())[0]!.signCount).toBeGreaterThan(credential!.signCount);

    await openSecurityPage(page);
    const passkeys = page.getByRole('list', { name: 'Passkeys' });
    await passkeys.getByText('Last used').waitFor();
    await page.getByRole('button', { name: 'Rename passkey Test laptop' }).click();
    await page.getByLabel('New name for Test laptop').fill('Work laptop');
    await page.getByRole('button', { name: 'Save' }).click();
    await passkeys.getByText('Work laptop', { exact: true }).waitFor();

    // Signed in by the passkey just now: fresh enough to remove it without being asked again.
    await page.getByRole('button', { name: 'Remove passkey Work laptop' }).click();
    await page.getByText('No passkey yet.').waitFor();
    expect((await pageFetch(page, '/api/session')).body).toMatchObject({ user: { secondFactors: [] } });
    expect(problems).toEqual([]);
  });

  it('a change on a stale session opens “Confirm it’s you”; a passkey confirms it and the change is retried', async () => {
    const clock = new FakeClock(Date.now());
    const heimdall = await suite.start(publicUrlEnv(), { clock });
    const { context, page, problems } = await suite.pages.open();
    await addVirtualAuthenticator(context, page);
    await signUpInPage(page, heimdall.origin, 'frigg@asgard.example');
    type Me = { session: { id: string; methods: string[]; authenticatedAt: string } };
    const before = (await pageFetch<Me>(page, '/api/session')).body.session;
    await openSecurityPage(page);
    await addPasskey(page, 'Phone');

    clock.advance(ELEVEN_MINUTES);
    await page.getByRole('button', { name: 'Remove passkey Phone' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Use a passkey' }).click();
    // Confirmed: the API client retried the removal, which now went through.
    await page.getByText('No passkey yet.').waitFor();
    expect(await dialog.isVisible()).toBe(false);
    const after = (await pageFetch<Me>(page, '/api/session')).body.session;
    expect(after.id).toBe(before.id);
    expect(after.methods).toEqual(['password', 'passkey']);
    expect(after.authenticatedAt).toBe(new Date(clock.now()).toISOString());
    const { body } = await pageFetch<{ events: unknown[] }>(page, '/api/audit?type=auth.reauthenticated');
    expect(body.events).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it('cancelling “Confirm it’s you” leaves the change undone', async () => {
    const clock = new FakeClock(Date.now());
    const heimdall = await suite.start(publicUrlEnv(), { clock });
    const { context, page } = await suite.pages.open();
    await addVirtualAuthenticator(context, page);
    await signUpInPage(page, heimdall.origin, 'thor@asgard.example');
    await openSecurityPage(page);
    await addPasskey(page, 'Mjölnir');
    clock.advance(ELEVEN_MINUTES);
    await page.getByRole('button', { name: 'Remove passkey Mjölnir' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('This change needs a recent sign-in.').waitFor();
    const { body } = await pageFetch<{ passkeys: unknown[] }>(page, '/api/account/passkeys');
    expect(body.passkeys).toHaveLength(1);
  });
});
