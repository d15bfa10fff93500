import { describe, expect, it } from 'vitest';
import { chromiumSuite } from '../helpers/chromium-suite.js';
import { signInOverHttp, signUpInPage } from '../helpers/web-pages.js';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
/** Addresses geoip-country places in the United Kingdom and Sweden (as in test/security/attack-helpers.ts). */
const GB = '81.2.69.142';
const SE = '89.160.20.112';
const EMAIL = 'odin@asgard.example';

const suite = chromiumSuite();

describe('the security activity page in Chromium', () => {
  it('shows a failed sign-in and a new-device sign-in with device and country, and pages back with the cursor', async () => {
    // Behind a trusted proxy on loopback, so the test can say which country each request comes from.
    const server = await suite.start({ TRUST_PROXY: 'loopback' });
    const { page, problems } = await suite.pages.open();
    await signUpInPage(page, server.origin, EMAIL);
    const ownBrowser = await page.evaluate(
      () => (globalThis as { navigator?: { userAgent: string } }).navigator!.userAgent,
    );

    // Twenty sign-ins from this same browser (no new device): more than one page of events.
    for (let i = 0; i < 20; i++) {
      expect((await signInOverHttp(server.origin, EMAIL, { userAgent: ownBrowser })).status).toBe(200);
    }
    // Then someone in the United Kingdom guesses wrong, and a Firefox on Windows in Sweden signs in.
    const guess = await signInOverHttp(server.origin, EMAIL, {
      password: 'not the password at all',
      userAgent: FIREFOX_WINDOWS,
      forwardedFor: GB,
    });
    expect(guess.status).toBe(401);
    expect((await signInOverHttp(server.origin, EMAIL, { userAgent: FIREFOX_WINDOWS, forwardedFor: SE })).status).toBe(
      200,
    );

    await page.getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('heading', { name: 'Security activity' }).waitFor();
    const events = page.getByRole('region', { name: 'Security events' }).getByRole('listitem');
    await events.first().waitFor();
    expect(await events.count()).toBe(20);
    // Newest first: the new device's sign-in, the anomaly it raised, then the failed guess.
    const titles = await events.locator('strong').allTextContents();
    expect(titles.slice(0, 4)).toEqual(['Signed in', 'Sign-in from a new device', 'Failed sign-in', 'Signed in']);

    const failed = events.filter({ hasText: 'Failed sign-in' });
    expect(await failed.count()).toBe(1);
    const failedText = await failed.textContent();
    expect(failedText).toContain('Firefox 133 on Windows 10');
    expect(failedText).toContain(GB);
    expect(failedText).toContain('United Kingdom');

    const newDevice = events.filter({ hasText: 'Sign-in from a new device' });
    const newDeviceText = await newDevice.textContent();
    expect(newDeviceText).toContain('Firefox on Windows had not signed in to this account before.');
    expect(newDeviceText).toContain('Sweden');

    // The account's first event is on the next page, fetched with the API's cursor.
    expect(await events.filter({ hasText: 'Account created' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Show older events' }).click();
    await events.filter({ hasText: 'Account created' }).waitFor();
    expect(await events.count()).toBe(24);
    expect(await page.getByRole('button', { name: 'Show older events' }).count()).toBe(0);
    expect(server.seen.some((r) => r.url.startsWith('/api/audit?') && r.url.includes('cursor='))).toBe(true);
    expect(problems).toEqual([]);
  });
});
