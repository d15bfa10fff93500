import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSuite } from '../helpers/chromium-suite.js';
import { signedUpClient } from '../helpers/test-app.js';
import { COMMON_USER_AGENTS } from '../helpers/user-agents.js';
import { signInOverHttp, signUpInPage } from '../helpers/web-pages.js';

const PHONE = { width: 390, height: 844 };

/**
 * How wide the page is, and (to say why when it is too wide) the innermost elements that reach past the viewport's
 * right edge.
 */
async function widthOf(page: Page): Promise<{ scrollWidth: number; overflowing: string[] }> {
  // A string, run in the page: the tests are compiled without the DOM's types.
  return page.evaluate(`(() => {
    const limit = ${PHONE.width} + 0.5;
    const right = (el) => el.getBoundingClientRect().right;
    const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : '');
    const overflowing = [...document.body.querySelectorAll('*')]
      .filter((el) => right(el) > limit && ![...el.children].some((child) => right(child) > limit))
      .slice(0, 8)
      .map((el) => name(el) + ' → ' + Math.round(right(el)) + 'px');
    return { scrollWidth: document.documentElement.scrollWidth, overflowing };
  })()`);
}

/** Once `ready` resolves (the page is shown), checks that it fits the phone: no horizontal scrolling. */
async function expectFits(page: Page, label: string, ready: () => Promise<unknown>): Promise<void> {
  await ready();
  // Fonts and late renders settle within a frame or two.
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
  const { scrollWidth, overflowing } = await widthOf(page);
  expect({ page: label, scrollWidth, overflowing }).toEqual({
    page: label,
    scrollWidth: expect.toSatisfy((w: number) => w <= PHONE.width),
    overflowing: [],
  });
}

/** Every page of the web app on a 390 × 844 phone: no horizontal scrolling, signed out and signed in (issue 20). */
describe('the web app on a 390 px phone in Chromium', () => {
  const suite = chromiumSuite();

  it('every signed-out page fits', async () => {
    const heimdall = await suite.start();
    const { page, problems } = await suite.pages.open();
    await page.setViewportSize(PHONE);
    const heading = (name: string) => () => page.getByRole('heading', { name }).waitFor();
    const visit = async (path: string, name: string) => {
      await page.goto(`${heimdall.origin}${path}`);
      await expectFits(page, path, heading(name));
    };
    await visit('/signin', 'Sign in');
    await visit('/signup', 'Create account');
    await visit('/forgot-password', 'Reset your password');
    await visit('/second-factor?methods=totp,passkey', 'Two-step sign-in');
    await visit('/reset-password?token=abc', 'Choose a new password');
    await visit('/verify-email?token=abc', 'Confirm your email');
    await visit('/no-such-page', 'Sign in');
    // A failed sign-in shows its error in place.
    await page.getByLabel('Email').fill('nobody-with-a-rather-long-address@asgard.example');
    await page.getByLabel('Password').fill('wrong password, long enough');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectFits(page, '/signin (error)', () => page.getByRole('alert').first().waitFor());
    expect(problems).toEqual([]);
  });

  it('every signed-in page fits, the administration included', async () => {
    const heimdall = await suite.start();
    const { page, problems } = await suite.pages.open();
    await page.setViewportSize(PHONE);
    // The first account is the administrator; a second user with sessions on several devices gives the pages rows.
    await signUpInPage(page, heimdall.origin, 'odin-allfather-of-the-aesir@asgard.example');
    await signedUpClient(heimdall.app, 'thor-with-a-long-address@asgard.example');
    for (const userAgent of COMMON_USER_AGENTS.slice(0, 4)) {
      await signInOverHttp(heimdall.origin, 'odin-allfather-of-the-aesir@asgard.example', { userAgent });
    }
    await signInOverHttp(heimdall.origin, 'odin-allfather-of-the-aesir@asgard.example', { password: 'wrong-one!' });
    const heading = (name: string) => () => page.getByRole('heading', { name, exact: true }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Main' });

    await expectFits(page, '/account', heading('Account'));
    await nav.getByRole('link', { name: 'Security' }).click();
    await expectFits(page, '/security', heading('Security'));
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    await expectFits(page, '/security (authenticator set-up)', () => page.getByTestId('totp-secret').waitFor());
    await nav.getByRole('link', { name: 'Devices' }).click();
    await expectFits(page, '/devices', () => page.getByText('This device').first().waitFor());
    await nav.getByRole('link', { name: 'Activity' }).click();
    await expectFits(page, '/activity', heading('Security activity'));
    await nav.getByRole('link', { name: 'Purchases' }).click();
    await expectFits(page, '/purchases', heading('Purchases'));
    await nav.getByRole('link', { name: 'Admin' }).click();
    await expectFits(page, '/admin', heading('Administration'));
    await page.getByRole('button', { name: /thor-with-a-long-address/ }).click();
    await expectFits(page, '/admin (a user selected)', () =>
      page.getByRole('heading', { name: /thor/ }).first().waitFor(),
    );
    await page.getByRole('link', { name: 'Open in the audit log' }).click();
    await expectFits(page, '/admin/audit?userId=…', () => page.getByRole('region', { name: 'Audit events' }).waitFor());
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('link', { name: 'audit log' }).click();
    await expectFits(page, '/admin/audit', () => page.getByRole('region', { name: 'Audit events' }).waitFor());
    await page.goto(`${heimdall.origin}/no-such-page`);
    await expectFits(page, '/no-such-page', heading('Page not found'));
    expect(problems).toEqual([]);
  });
});
