import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSuite } from '../helpers/chromium-suite.js';
import { signedUpClient } from '../helpers/test-app.js';
import { signInOverHttp, signUpInPage } from '../helpers/web-pages.js';
import type { RunningHeimdall } from '../helpers/web-servers.js';

const CLIENT = { ip: '192.0.2.7', userAgent: 'test' };

/** The administrator's audit log page (issue 20): everyone's events, filtered by user and type, a page at a time. */
describe('the audit log page in Chromium', () => {
  const suite = chromiumSuite();

  /** An administrator signed in on the audit log, a second account (thor) with a failed sign-in. */
  async function setUp(): Promise<{ heimdall: RunningHeimdall; page: Page; problems: string[]; thorId: string }> {
    const heimdall = await suite.start();
    const { page, problems } = await suite.pages.open();
    await signUpInPage(page, heimdall.origin, 'odin@asgard.example');
    const thor = await signedUpClient(heimdall.app, 'thor@asgard.example');
    const me = await thor.request({ method: 'GET', url: '/api/session' });
    const thorId = (me.json() as { user: { id: string } }).user.id;
    await signInOverHttp(heimdall.origin, 'thor@asgard.example', { password: 'not thor’s password' });
    return { heimdall, page, problems, thorId };
  }

  const items = (page: Page) => page.getByRole('region', { name: 'Audit events' }).getByRole('listitem');
  const typesShown = async (page: Page) => items(page).locator('code').allTextContents();

  it('lists everyone’s events and filters them by user (email or id) and by type', async () => {
    const { heimdall, page, problems, thorId } = await setUp();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('link', { name: 'audit log' }).click();
    await page.waitForURL(`${heimdall.origin}/admin/audit`);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    // The top bar still says where the page belongs.
    const adminLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' });
    expect(await adminLink.getAttribute('aria-current')).toBe('page');
    await items(page).first().waitFor();
    // Both accounts' events, newest first: thor's failed sign-in is the latest.
    expect((await typesShown(page))[0]).toBe('auth.login_failed');
    expect(await typesShown(page)).toEqual(expect.arrayContaining(['auth.register', 'auth.login_failed']));
    expect(
      await items(page)
        .getByRole('button', { name: `user ${thorId}` })
        .count(),
    ).toBeGreaterThan(0);

    await page.getByLabel('User').fill('THOR@asgard.example');
    await page.getByRole('button', { name: 'Show events' }).click();
    await page.waitForURL(`${heimdall.origin}/admin/audit?userId=${thorId}`);
    await expect.poll(() => typesShown(page)).toEqual(['auth.login_failed', 'auth.register']);

    await page.getByLabel('Type').selectOption('auth.register');
    await page.getByRole('button', { name: 'Show events' }).click();
    await expect.poll(() => typesShown(page)).toEqual(['auth.register']);
    // The address holds the filter: a reload shows the same.
    await page.reload();
    await expect.poll(() => typesShown(page)).toEqual(['auth.register']);
    expect(await page.getByLabel('User').inputValue()).toBe(thorId);

    // By type alone: every account's sign-ups.
    await page.getByLabel('User').fill('');
    await page.getByRole('button', { name: 'Show events' }).click();
    await expect.poll(() => typesShown(page)).toEqual(['auth.register', 'auth.register']);

    // Nothing matches: an empty state, and an unknown email is said plainly.
    await page.getByLabel('Type').selectOption('key.rotated');
    await page.getByRole('button', { name: 'Show events' }).click();
    await page.getByText('No events match these filters.').waitFor();
    await page.getByLabel('User').fill('nobody@asgard.example');
    await page.getByRole('button', { name: 'Show events' }).click();
    await page.getByText('No account has the email nobody@asgard.example.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL(`${heimdall.origin}/admin/audit`);
    await items(page).first().waitFor();
    expect(problems).toEqual([]);
  });

  it('pages through older events, and shows loading and error states', async () => {
    const { heimdall, page, problems, thorId } = await setUp();
    for (let i = 0; i < 30; i++) {
      await heimdall.services.audit.record('password.reset_requested', CLIENT, { userId: thorId });
    }
    // The first answer waits until the test has seen the loading state.
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = async (route: Route) => {
      await released;
      await route.continue();
    };
    await page.route('**/api/admin/audit?**', held);
    await page.goto(`${heimdall.origin}/admin/audit?type=password.reset_requested`);
    await page.getByText('Loading events…').waitFor();
    release();
    await expect.poll(() => items(page).count()).toBe(25);
    await page.unroute('**/api/admin/audit?**', held);

    await page.getByRole('button', { name: 'Show older events' }).click();
    await expect.poll(() => items(page).count()).toBe(30);
    expect(await page.getByRole('button', { name: 'Show older events' }).count()).toBe(0);
    expect(new Set(await typesShown(page))).toEqual(new Set(['password.reset_requested']));

    // The API cannot answer: the error is shown with a way to try again, which works once it answers.
    const failing = (route: Route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'service_unavailable', message: 'Down for a moment.' } }),
      });
    await page.route('**/api/admin/audit?**', failing);
    await page.reload();
    await page.getByRole('alert').getByRole('button', { name: 'Try again' }).waitFor();
    expect(await items(page).count()).toBe(0);
    await page.unroute('**/api/admin/audit?**', failing);
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => items(page).count()).toBe(25);
    expect(problems).toEqual([]);
  });

  it('is for administrators only', async () => {
    const heimdall = await suite.start();
    await signedUpClient(heimdall.app, 'odin@asgard.example');
    const { page } = await suite.pages.open();
    await signUpInPage(page, heimdall.origin, 'loki@asgard.example');
    await page.goto(`${heimdall.origin}/admin/audit`);
    await page.getByText('Administration needs the admin role, which this account does not have.').waitFor();
    expect(await page.getByRole('heading', { name: 'Audit log' }).count()).toBe(0);
  });
});
