import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { generateTotp } from '../../src/core/totp.js';
import { chromiumSuite } from '../helpers/chromium-suite.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { pageFetch } from '../helpers/passkey-browser.js';
import { TOTP_STEP_MS } from '../helpers/second-factors.js';
import { PASSWORD } from '../helpers/test-app.js';
import { signUpInPage } from '../helpers/web-pages.js';

const ELEVEN_MINUTES = 11 * 60_000;

/** The authenticator app and recovery codes through the web app, and the two-step sign-in that follows. */
describe('authenticator app and recovery codes in Chromium', () => {
  const suite = chromiumSuite();

  async function signIn(page: Page, origin: string, email: string): Promise<void> {
    await page.goto(`${origin}/signin`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Two-step sign-in' }).waitFor();
  }

  it('set up with the in-page QR code, recovery codes shown once and downloaded, then sign-in asks for a code', async () => {
    const clock = new FakeClock(Date.now());
    const heimdall = await suite.start({}, { clock });
    const { page, problems } = await suite.pages.open();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await signUpInPage(page, heimdall.origin, 'odin@asgard.example');
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();

    const qr = page.getByRole('img', { name: 'QR code to scan with your authenticator app' });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    // The QR code is drawn in the page: no request leaves for another origin.
    expect(requests.filter((url) => !url.startsWith(heimdall.origin) && !url.startsWith('data:'))).toEqual([]);
    const secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
    await page.getByLabel('Code from the app').fill(generateTotp(secret, clock.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();

    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor();
    const shown = await codes.allTextContents();
    expect(shown).toHaveLength(10);
    const downloadStarted = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download codes' }).click();
    const download = await downloadStarted;
    expect(download.suggestedFilename()).toBe('heimdall-recovery-codes.txt');
    const saved = await readFile((await download.path())!, 'utf8');
    for (const code of shown) expect(saved).toContain(code);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByText('10 of 10 unused').waitFor();
    expect(await page.getByRole('list', { name: 'Recovery codes' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signIn(page, heimdall.origin, 'odin@asgard.example');
    clock.advance(TOTP_STEP_MS);
    await page.getByLabel('Code from your authenticator app').fill(generateTotp(secret, clock.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByTestId('signed-in-email').waitFor();
    expect((await pageFetch(page, '/api/session')).body).toMatchObject({ session: { methods: ['password', 'totp'] } });

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signIn(page, heimdall.origin, 'odin@asgard.example');
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(shown[4]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByTestId('signed-in-email').waitFor();
    expect(problems).toEqual([]);
  });

  it('removing the app on a stale session asks for a code first, then removes it', async () => {
    const clock = new FakeClock(Date.now());
    const heimdall = await suite.start({}, { clock });
    const { page, problems } = await suite.pages.open();
    await signUpInPage(page, heimdall.origin, 'frigg@asgard.example');
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
    await page.getByLabel('Code from the app').fill(generateTotp(secret, clock.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('button', { name: 'I have saved them' }).click();

    clock.advance(ELEVEN_MINUTES);
    await page.getByRole('button', { name: 'Remove authenticator app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByLabel('Code from your authenticator app').fill('000000');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByText('The code is not right.').waitFor();
    await dialog.getByLabel('Code from your authenticator app').fill(generateTotp(secret, clock.now()));
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('button', { name: 'Set up authenticator app' }).waitFor();
    expect((await pageFetch(page, '/api/session')).body).toMatchObject({ user: { secondFactors: [] } });
    expect(problems).toEqual([]);
  });

  it('an account without a second factor confirms with its password', async () => {
    const clock = new FakeClock(Date.now());
    const heimdall = await suite.start({}, { clock });
    const { page } = await suite.pages.open();
    await signUpInPage(page, heimdall.origin, 'thor@asgard.example');
    await page.getByRole('link', { name: 'Security' }).click();
    clock.advance(ELEVEN_MINUTES);
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('img', { name: 'QR code to scan with your authenticator app' }).waitFor();
  });
});
