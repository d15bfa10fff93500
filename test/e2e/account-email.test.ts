import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumSuite } from '../helpers/chromium-suite.js';
import { SmtpCapture } from '../helpers/smtp-capture.js';
import { PASSWORD } from '../helpers/test-app.js';
import { signUpInPage } from '../helpers/web-pages.js';
import type { RunningHeimdall } from '../helpers/web-servers.js';

const SILENT = { info() {}, warn() {} };

/**
 * The web app's account pages in Chromium, with Heimdall's own mail worker sending over SMTP to a capture server:
 * every link a test follows is taken from a received message.
 */
describe('account pages over real mail, in Chromium', () => {
  const suite = chromiumSuite();
  let smtp: SmtpCapture;

  beforeAll(async () => {
    smtp = await SmtpCapture.start();
  });
  afterAll(async () => {
    await smtp?.down();
  });

  async function heimdall(): Promise<RunningHeimdall> {
    smtp.clear();
    const running = await suite.start({ SMTP_URL: smtp.url });
    running.services.startMailDelivery(SILENT);
    return running;
  }

  /** The link of the newest message of `kind` to `email`, opened on this Heimdall (links name its public URL). */
  async function openLinkFrom(page: Page, running: RunningHeimdall, email: string, kind: string): Promise<void> {
    const mail = await smtp.waitFor(email, kind);
    const link = (mail.text.match(/https?:\/\/\S+/g) ?? []).find((l) => l.includes('token='));
    if (!link) throw new Error(`no link in ${mail.text}`);
    const { pathname, search } = new URL(link);
    await page.goto(`${running.origin}${pathname}${search}`);
  }

  it('forgot password → the email → a new password → sign in', async () => {
    const running = await heimdall();
    const { page, problems } = await suite.pages.open();
    await signUpInPage(page, running.origin, 'odin@asgard.example');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email').fill('odin@asgard.example');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText('an email with a link to choose a new password is on its way').waitFor();

    await openLinkFrom(page, running, 'odin@asgard.example', 'password_reset_link');
    await page.getByLabel('New password', { exact: true }).fill('a fresh passphrase for odin');
    await page.getByLabel('Confirm new password').fill('a fresh passphrase for odin');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Your password is set.').waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();

    await page.getByLabel('Email').fill('odin@asgard.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('The email or password is incorrect.').waitFor();
    await page.getByLabel('Password').fill('a fresh passphrase for odin');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByTestId('signed-in-email').textContent()).resolves.toBe('odin@asgard.example');
    // Following the reset link confirmed the address: no banner.
    expect(await page.getByText('Please confirm your email address').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('shows the verification banner until the link is followed; "resend" mails a new one', async () => {
    const running = await heimdall();
    const { page, problems } = await suite.pages.open();
    await signUpInPage(page, running.origin, 'frigg@asgard.example');
    await page.getByText('Please confirm your email address').waitFor();
    await smtp.waitFor('frigg@asgard.example', 'verify_email');
    await page.getByRole('button', { name: 'Resend the email' }).click();
    await page.getByText('Sent. Check the inbox of frigg@asgard.example').waitFor();
    await expect.poll(() => smtp.to('frigg@asgard.example', 'verify_email').length).toBe(2);

    await openLinkFrom(page, running, 'frigg@asgard.example', 'verify_email');
    await page.getByText('frigg@asgard.example is confirmed.').waitFor();
    await page.getByRole('link', { name: 'Go to your account' }).click();
    await page.getByTestId('signed-in-email').waitFor();
    expect(await page.getByText('Please confirm your email address').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('changes the email from the account page through a link to the new address', async () => {
    const running = await heimdall();
    const { page, problems } = await suite.pages.open();
    await signUpInPage(page, running.origin, 'thor@asgard.example');
    await page.getByLabel('New email').fill('thunder@asgard.example');
    await page.getByRole('button', { name: 'Change email' }).click();
    await page.getByText('We sent a link to thunder@asgard.example.').waitFor();
    await openLinkFrom(page, running, 'thunder@asgard.example', 'change_email');
    await page.getByText('thunder@asgard.example is confirmed.').waitFor();
    await page.getByRole('link', { name: 'Go to your account' }).click();
    await expect(page.getByTestId('signed-in-email').textContent()).resolves.toBe('thunder@asgard.example');
    await smtp.waitFor('thor@asgard.example', 'email_changed');
    expect(problems).toEqual([]);
  });

  it('lets an admin invite, disable, read the activity of, and delete an account', async () => {
    const running = await heimdall();
    const { page, problems } = await suite.pages.open();
    await signUpInPage(page, running.origin, 'admin@asgard.example');
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByLabel('Email of the new user').fill('tyr@asgard.example');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText('tyr@asgard.example can now choose a password.').waitFor();
    await smtp.waitFor('tyr@asgard.example', 'invitation');
    const account = page.getByRole('region', { name: 'Account' });
    await account.getByText('email not confirmed').waitFor();

    await account.getByRole('button', { name: 'Disable account' }).click();
    await account.getByRole('button', { name: 'Enable account' }).waitFor();
    const activity = page.getByRole('region', { name: 'Activity' });
    await activity.getByText('Account disabled by an administrator').waitFor();
    await activity.getByText('Invited by an administrator').waitFor();

    await account.getByRole('button', { name: 'Delete account' }).click();
    await account.getByRole('button', { name: 'Yes, delete tyr@asgard.example' }).click();
    await page.getByText('Select a user to see their roles and sessions.').waitFor();
    expect(await page.getByRole('button', { name: /tyr@asgard\.example/ }).count()).toBe(0);

    // The last admin's own account cannot go: the page says why.
    await page.getByRole('button', { name: /admin@asgard\.example/ }).click();
    await account.getByRole('button', { name: 'Disable account' }).click();
    await account.getByText(/At least one active admin must remain/).waitFor();
    expect(problems).toEqual([]);
  });
});
