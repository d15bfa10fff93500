import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { PASSWORD } from '../helpers/test-app.js';
import {
  type RunningHeimdall,
  requireBuiltWebApp,
  type StaticSite,
  startHeimdall,
  startOtherSite,
  startSpaHost,
  waitForStreams,
} from '../helpers/web-servers.js';

let browser: Browser;
const contexts: BrowserContext[] = [];
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  requireBuiltWebApp();
  browser = await launchChromium();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await browser?.close();
});

async function heimdall(env: Record<string, string> = {}): Promise<RunningHeimdall> {
  const running = await startHeimdall(env);
  cleanups.push(() => running.close());
  return running;
}

/** A fresh browser profile, with a page that fails the test on any script error or CSP violation. */
async function openPage(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  return { context, page, problems };
}

async function signUp(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('signed-in-email').waitFor();
}

async function signIn(page: Page, email: string, options: { rememberMe?: boolean; password?: string } = {}) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(options.password ?? PASSWORD);
  if (options.rememberMe) await page.getByLabel('Remember me').check();
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The browser globals used in page.evaluate() (the test project compiles without the DOM library). */
interface PageGlobals {
  document: { cookie: string; forms: { action: string; submit(): void }[] };
  localStorage: { length: number };
  sessionStorage: { length: number };
  indexedDB: { databases(): Promise<unknown[]> };
}

/** What scripts on the page can see: cookies and every kind of storage. */
function scriptVisibleState(page: Page) {
  return page.evaluate(async () => {
    const { document, localStorage, sessionStorage, indexedDB } = globalThis as unknown as PageGlobals;
    return {
      cookie: document.cookie,
      localStorage: localStorage.length,
      sessionStorage: sessionStorage.length,
      indexedDb: (await indexedDB.databases()).length,
    };
  });
}

const NOTHING_VISIBLE = { cookie: '', localStorage: 0, sessionStorage: 0, indexedDb: 0 };

describe('the web app in Chromium, served by Heimdall', () => {
  it('signs up, stays signed in across a reload, signs out, and no script ever sees the session', async () => {
    const server = await heimdall();
    const { context, page, problems } = await openPage();
    await page.goto(`${server.origin}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    await signUp(page, 'freya@vanaheim.example');
    expect(await page.getByTestId('signed-in-email').textContent()).toBe('freya@vanaheim.example');
    expect(new URL(page.url()).pathname).toBe('/account');
    expect(await scriptVisibleState(page)).toEqual(NOTHING_VISIBLE);
    const [cookie] = await context.cookies(server.origin);
    expect(cookie).toMatchObject({ name: '__Host-heimdall', httpOnly: true, secure: true, sameSite: 'Strict' });
    // Without "remember me" the cookie is a session cookie: it dies with the browser.
    expect(cookie?.expires).toBe(-1);

    await page.reload();
    expect(await page.getByTestId('signed-in-email').textContent()).toBe('freya@vanaheim.example');
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByText('This device').waitFor();
    await page.reload();
    await page.getByText('This device').waitFor();
    expect(await scriptVisibleState(page)).toEqual(NOTHING_VISIBLE);

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('You signed out.').waitFor();
    expect(await context.cookies(server.origin)).toEqual([]);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    await signIn(page, 'freya@vanaheim.example', { rememberMe: true });
    await page.getByTestId('signed-in-email').waitFor();
    const [remembered] = await context.cookies(server.origin);
    expect(remembered?.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
    expect(await scriptVisibleState(page)).toEqual(NOTHING_VISIBLE);
    expect(problems).toEqual([]);
  });

  it('explains a failed sign-in and a taken email in plain words', async () => {
    const server = await heimdall();
    const { page } = await openPage();
    await page.goto(`${server.origin}/signin`);
    await signUp(page, 'loki@asgard.example');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    await signIn(page, 'loki@asgard.example', { password: 'not the password at all' });
    await page.getByRole('alert').getByText('The email or password is incorrect.').waitFor();
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill('LOKI@asgard.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').getByText('An account with this email already exists.').waitFor();
    await page.getByLabel('Email').fill('sigyn@asgard.example');
    await page.getByLabel('Password').fill('password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').getByText('Choose a stronger password').waitFor();
  });

  it('shows a "Continue with" button for each third-party provider, and none without', async () => {
    const plain = await heimdall();
    const { page } = await openPage();
    const providers = page.waitForResponse((r) => r.url().endsWith('/api/oidc/providers'));
    await page.goto(`${plain.origin}/signin`);
    await providers;
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await page.getByText(/Continue with/).count()).toBe(0);

    // Listing providers contacts none of them, so an issuer nobody answers at is fine here.
    const withProvider = await heimdall({
      OIDC_ASGARD_ISSUER: 'http://127.0.0.1:9/realms/asgard',
      OIDC_ASGARD_CLIENT_ID: 'heimdall',
      OIDC_ASGARD_LABEL: 'Asgard ID',
    });
    await page.goto(`${withProvider.origin}/signin`);
    const button = page.getByRole('link', { name: 'Continue with Asgard ID' });
    await button.waitFor();
    expect(new URL((await button.getAttribute('href'))!).pathname).toBe('/api/oidc/asgard/start');

    // A failed sign-on comes back as /?error=<code>, and the page says what happened.
    await page.goto(`${withProvider.origin}/?error=access_denied`);
    await page.getByRole('alert').getByText('Signing in with the provider was cancelled.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/signin');
  });
});

describe('the web app on its own origin', () => {
  it('works from another origin of the same site, with CORS and credentials', async () => {
    let apiOrigin = '';
    const spa: StaticSite = await startSpaHost(() => apiOrigin);
    cleanups.push(() => spa.close());
    const server = await heimdall({ HEIMDALL_ORIGINS: spa.origin });
    apiOrigin = server.origin;
    const { page, problems } = await openPage();

    await page.goto(`${spa.origin}/signin`);
    await signUp(page, 'heimdall@bifrost.example');
    await page.reload();
    await page.getByTestId('signed-in-email').waitFor();
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByText('This device').waitFor();
    expect(await scriptVisibleState(page)).toEqual(NOTHING_VISIBLE);

    const fromSpa = server.seen.filter((r) => r.origin === spa.origin && r.url === '/api/sessions');
    expect(fromSpa.length).toBeGreaterThan(0);
    expect(fromSpa.every((r) => r.hadSessionCookie && r.secFetchSite === 'same-site')).toBe(true);

    // An unsafe request from the SPA: preflight, CSRF token and cookie all pass.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByText('You signed out.').waitFor();
    expect(server.seen.some((r) => r.method === 'POST' && r.url === '/api/auth/logout' && r.hadSessionCookie)).toBe(
      true,
    );
    const user = (await server.services.users.findByEmail('heimdall@bifrost.example'))!;
    expect(await server.services.sessions.list(user.id)).toEqual([]);

    // Live push crosses origins too: the event stream carries the cookie, and a revocation arrives at once.
    await signIn(page, 'heimdall@bifrost.example');
    await page.getByTestId('signed-in-email').waitFor();
    await waitForStreams(server, 1);
    expect(server.services.streams.stats().streams).toBe(1);
    await server.services.sessions.revokeAll(user.id, { by: 'admin' });
    await page.getByText('An administrator ended your session.').waitFor({ timeout: 2_000 });
    expect(problems).toEqual([]);
  });

  it('gives a page on another site no session: its form posts and fetches change nothing', async () => {
    const server = await heimdall();
    const attacker = await startOtherSite(`<!doctype html><title>Free mead</title>
      <form method="post" enctype="text/plain">
        <input name='{"x":"' value='"}'><button>Win</button>
      </form>`);
    cleanups.push(() => attacker.close());
    const { page } = await openPage();
    await page.goto(`${server.origin}/signin`);
    await signUp(page, 'odin@asgard.example');
    const odin = (await server.services.users.findByEmail('odin@asgard.example'))!;
    expect(await server.services.sessions.list(odin.id)).toHaveLength(1);
    await waitForStreams(server, 1);
    const before = server.seen.length;

    // Same browser profile, so the session cookie is in its jar: only SameSite=Strict keeps it from going along.
    const evil = await page.context().newPage();
    await evil.goto(attacker.origin);
    const fetched = await evil.evaluate(async (api) => {
      const results: string[] = [];
      for (const [method, path] of [
        ['GET', '/api/session'],
        ['POST', '/api/sessions/revoke-others'],
        ['POST', '/api/auth/logout-everywhere'],
      ] as const) {
        try {
          const response = await fetch(`${api}${path}`, { method, credentials: 'include' });
          results.push(`${path} readable ${response.status}`);
        } catch {
          results.push(`${path} blocked`);
        }
        // no-cors still sends the request (and would send the cookie if SameSite allowed it).
        await fetch(`${api}${path}`, { method, credentials: 'include', mode: 'no-cors' }).catch(() => undefined);
      }
      return results;
    }, server.origin);
    expect(fetched.every((r) => r.endsWith('blocked'))).toBe(true);
    await evil.evaluate((api) => {
      const form = (globalThis as unknown as PageGlobals).document.forms[0]!;
      form.action = `${api}/api/auth/logout-everywhere`;
      form.submit();
    }, server.origin);
    await evil.waitForURL(`${server.origin}/api/auth/logout-everywhere`);

    // The browser marks every request the other site's page makes as cross-site (the signed-in tab's own requests,
    // if any arrive meanwhile, are same-origin and not counted).
    const crossSite = server.seen.slice(before).filter((r) => r.secFetchSite === 'cross-site');
    expect(crossSite.length).toBeGreaterThanOrEqual(7);
    expect(crossSite.every((r) => !r.hadSessionCookie)).toBe(true);
    expect(crossSite.some((r) => r.method === 'POST' && r.url === '/api/auth/logout-everywhere')).toBe(true);

    // Nothing changed: the session lives, and the signed-in page still works after a reload.
    expect(await server.services.sessions.list(odin.id)).toHaveLength(1);
    await page.reload();
    expect(await page.getByTestId('signed-in-email').textContent()).toBe('odin@asgard.example');
  });
});
