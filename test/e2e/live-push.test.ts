import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { PASSWORD } from '../helpers/test-app.js';
import { type RunningHeimdall, requireBuiltWebApp, startHeimdall, waitForStreams } from '../helpers/web-servers.js';

const DOCS_DIR = fileURLToPath(new URL('../../docs/', import.meta.url));
const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const SCREENSHOT_TIME = Date.UTC(2026, 10, 25, 9, 41, 0);
const LINUX_CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const WINDOWS_FIREFOX_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

let browser: Browser;
let server: RunningHeimdall | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  requireBuiltWebApp();
  browser = await launchChromium();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  await server?.close();
  server = undefined;
});

afterAll(async () => {
  await browser?.close();
});

async function openPage(userAgent?: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1200, height: 760 },
    locale: 'en-US',
    timezoneId: 'UTC',
    ...(userAgent ? { userAgent } : {}),
  });
  contexts.push(context);
  return context.newPage();
}

async function signUp(page: Page, origin: string, email: string): Promise<void> {
  await page.goto(`${origin}/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('signed-in-email').waitFor();
}

async function signIn(page: Page, origin: string, email: string): Promise<void> {
  await page.goto(`${origin}/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('signed-in-email').waitFor();
}

/** Marks the page's JavaScript world: the mark survives only if the page was never reloaded. */
async function markPage(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate(() => {
    (globalThis as { heimdallTestMark?: boolean }).heimdallTestMark = true;
  });
  return () => page.evaluate(() => (globalThis as { heimdallTestMark?: boolean }).heimdallTestMark === true);
}

describe('live push in Chromium', () => {
  it('lists both browsers as devices; signing one out from the other sends it to sign-in within a second', async () => {
    // Server and page clocks stand still, so the screenshot comes out the same on every run.
    const clock = new FakeClock(SCREENSHOT_TIME);
    server = await startHeimdall({}, { clock });
    // Headless Chromium calls itself "HeadlessChrome"; the laptop presents itself as the browser people use.
    const laptop = await openPage(LINUX_CHROME_UA);
    await laptop.clock.setFixedTime(SCREENSHOT_TIME);
    const phone = await openPage(PHONE_UA);
    await signUp(laptop, server.origin, 'odin@asgard.example');
    await signIn(phone, server.origin, 'odin@asgard.example');
    // A third device, signed in over plain HTTP, so the list shows some variety.
    const signedIn = await fetch(`${server.origin}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': WINDOWS_FIREFOX_UA },
      body: JSON.stringify({ email: 'odin@asgard.example', password: PASSWORD, rememberMe: true }),
    });
    expect(signedIn.status).toBe(200);

    await laptop.getByRole('link', { name: 'Devices' }).click();
    const devices = laptop.getByRole('region', { name: 'Signed-in devices' }).getByRole('listitem');
    await laptop.getByText('3 active sessions').waitFor();
    expect(await devices.count()).toBe(3);
    const thisDevice = devices.filter({ hasText: 'This device' });
    expect(await thisDevice.count()).toBe(1);
    expect(await thisDevice.textContent()).toMatch(/Chrome \d+ on Linux/);
    const phoneRow = devices.filter({ hasText: /Mobile Safari .* on iOS/ });
    expect(await phoneRow.textContent()).toContain('127.0.0.1');
    mkdirSync(DOCS_DIR, { recursive: true });
    await laptop.screenshot({ path: `${DOCS_DIR}devices.png`, clip: { x: 0, y: 0, width: 1200, height: 540 } });

    await phone.goto(`${server.origin}/devices`);
    await phone.getByText('This device').waitFor();
    await waitForStreams(server, 2);
    const phoneWasNotReloaded = await markPage(phone);

    const started = Date.now();
    await phoneRow.getByRole('button', { name: /^Sign out/ }).click();
    await phone.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 5_000 });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1_000);
    await phone.getByText('This device was signed out from another device.').waitFor();
    expect(await phoneWasNotReloaded()).toBe(true);
    expect(new URL(phone.url()).pathname).toBe('/signin');

    // The laptop stays signed in, and its list no longer shows the phone.
    expect(await devices.count()).toBe(2);
    await laptop.reload();
    await laptop.getByText('2 active sessions').waitFor();
  });

  it("an admin demotion shows on the user's open page without a reload, and an admin message pops up", async () => {
    server = await startHeimdall();
    const admin = await openPage();
    const thor = await openPage();
    await signUp(admin, server.origin, 'odin@asgard.example');
    await signUp(thor, server.origin, 'thor@asgard.example');

    // Promote Thor through the admin page; his open page gains the Admin link live.
    await admin.getByRole('link', { name: 'Admin' }).click();
    await admin.getByLabel('Search users').fill('thor');
    await admin.getByRole('button', { name: /thor@asgard\.example/ }).click();
    await admin.getByRole('checkbox', { name: 'admin' }).check();
    await admin.getByRole('button', { name: 'Save roles' }).click();
    await admin.getByText('Roles saved').waitFor();
    const thorWasNotReloaded = await markPage(thor);
    await thor.getByRole('link', { name: 'Admin' }).waitFor({ timeout: 2_000 });
    await thor.getByRole('link', { name: 'Admin' }).click();
    await thor.getByRole('heading', { name: 'Administration' }).waitFor();
    await thor.getByLabel('Search users').waitFor();

    // Demote him: the admin page he has open closes itself and his roles read "user" again.
    await admin.getByRole('checkbox', { name: 'admin' }).uncheck();
    await admin.getByRole('button', { name: 'Save roles' }).click();
    await thor.getByText('Administration needs the admin role').waitFor({ timeout: 2_000 });
    expect(await thor.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await thor.getByRole('region', { name: 'Notifications' }).getByText('You now have: user.').waitFor();
    await thor.getByRole('link', { name: 'Account' }).click();
    expect(await thor.getByRole('list', { name: 'Roles' }).textContent()).toBe('user');
    expect(await thorWasNotReloaded()).toBe(true);

    // A message from the admin arrives as a notification.
    await waitForStreams(server, 2);
    await admin.getByLabel('Message', { exact: true }).fill('The Bifrost closes at dusk.');
    await admin.getByRole('button', { name: 'Send message' }).click();
    await admin.getByText('Delivered to 1 browser.').waitFor();
    const notification = thor.getByRole('region', { name: 'Notifications' });
    await notification.getByText('The Bifrost closes at dusk.').waitFor({ timeout: 2_000 });
    expect(await notification.textContent()).toContain('Message from odin');
    expect(await thorWasNotReloaded()).toBe(true);

    // And an admin ending all of Thor's sessions sends him to sign-in, saying who did it.
    await admin.getByRole('button', { name: 'End all sessions' }).click();
    await thor.getByText('An administrator ended your session.').waitFor({ timeout: 2_000 });
  });

  it('all tabs of one browser share one event stream, and each tab still gets every event', async () => {
    server = await startHeimdall();
    const first = await openPage();
    await signUp(first, server.origin, 'odin@asgard.example');
    const tabs = [first, await first.context().newPage(), await first.context().newPage()];
    for (const tab of tabs.slice(1)) {
      await tab.goto(`${server.origin}/devices`);
      // Signed in: this tab now listens, through the tab that holds the stream.
      await tab.getByText('This device').waitFor();
    }
    await waitForStreams(server, 1);
    const odin = (await server.services.users.findByEmail('odin@asgard.example'))!;
    expect(server.services.streams.stats().streams).toBe(1);

    await server.services.messages.send(odin, 'One stream, three tabs.', odin);
    for (const tab of tabs) {
      await tab
        .getByRole('region', { name: 'Notifications' })
        .getByText('One stream, three tabs.')
        .waitFor({ timeout: 10_000 });
    }

    // Closing the tab that holds the stream (the first to ask) hands it to another tab.
    const opened = () => server!.seen.filter((r) => r.url === '/api/events').length;
    const openedBefore = opened();
    await tabs[0]!.close();
    const deadline = Date.now() + 5_000;
    while (opened() === openedBefore || server.services.streams.stats().streams !== 1) {
      if (Date.now() > deadline) throw new Error('no tab took the stream over');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await server.services.sessions.revokeAll(odin.id, { by: 'admin' });
    for (const tab of tabs.slice(1)) {
      await tab.getByText('An administrator ended your session.').waitFor({ timeout: 10_000 });
    }
  }, 60_000);
});
