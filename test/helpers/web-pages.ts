import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PASSWORD } from './test-app.js';

/** Browser contexts opened by a suite, to close after each test. */
export class PageSet {
  readonly #contexts: BrowserContext[] = [];

  constructor(readonly browser: Browser) {}

  /**
   * A fresh browser profile (US English, UTC) with a page; `problems` collects script errors and CSP violations,
   * which a test expects to stay empty.
   */
  async open(
    options: { userAgent?: string } = {},
  ): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await this.browser.newContext({
      viewport: { width: 1200, height: 800 },
      locale: 'en-US',
      timezoneId: 'UTC',
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    });
    this.#contexts.push(context);
    // Under the test's own timeout, so a missing element fails with Playwright's description of what it awaited.
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
    return { context, page, problems };
  }

  async closeAll(): Promise<void> {
    for (const context of this.#contexts.splice(0)) await context.close();
  }
}

/** Creates an account through the sign-up page and waits until the account page shows it. */
export async function signUpInPage(page: Page, origin: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${origin}/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('signed-in-email').waitFor();
}

/** Signs in over plain HTTP as another device would, optionally from another address (via a trusted proxy). */
export async function signInOverHttp(
  origin: string,
  email: string,
  options: { password?: string; userAgent?: string; forwardedFor?: string } = {},
): Promise<Response> {
  return fetch(`${origin}/api/auth/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.userAgent ? { 'user-agent': options.userAgent } : {}),
      ...(options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {}),
    },
    body: JSON.stringify({ email, password: options.password ?? PASSWORD }),
  });
}
