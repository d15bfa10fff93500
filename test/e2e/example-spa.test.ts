import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { findFreePort } from '../helpers/free-port.js';
import { ROOT } from '../helpers/heimdall-process.js';
import { addVirtualAuthenticator, publicUrlEnv } from '../helpers/passkey-browser.js';
import { PASSWORD } from '../helpers/test-app.js';
import { type RunningHeimdall, startHeimdall, waitForStreams } from '../helpers/web-servers.js';

/** examples/spa (`node server.js`) on its own port, pointed at Heimdall. */
async function startExampleSpa(port: number, heimdallUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['server.js'], {
    cwd: join(ROOT, 'examples/spa'),
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HEIMDALL_URL: heimdallUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`the example SPA did not start:\n${output}`)), 20_000);
    const collect = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('Example SPA on')) {
        clearTimeout(deadline);
        resolve();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => reject(new Error(`the example SPA exited with ${code}:\n${output}`)));
  });
  return child;
}

/** The example SPA on another origin signs in through Heimdall with heimdall-auth/client, in Chromium. */
describe('examples/spa: another origin signs in with heimdall-auth/client', () => {
  let browser: Browser;
  let heimdall: RunningHeimdall;
  let spa: ChildProcess;
  let spaOrigin: string;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/client/index.js'))) throw new Error('run npm run build first (dist/client)');
    const port = await findFreePort();
    // localhost on two ports: two origins, one site (the session cookie is SameSite=Strict).
    spaOrigin = `http://localhost:${port}`;
    // WebAuthn checks the origin against the public URL and HEIMDALL_ORIGINS: Heimdall listens where its URL says.
    heimdall = await startHeimdall({ ...publicUrlEnv(), HEIMDALL_ORIGINS: spaOrigin });
    spa = await startExampleSpa(port, heimdall.origin);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    spa?.kill();
    await heimdall?.close();
  });

  it('signs up, reads GET /api/session after a reload, follows the event stream, and signs out', async () => {
    const page = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(spaOrigin);
    await page.locator('#signed-out').waitFor();

    await page.getByLabel('Email').fill('ratatoskr@yggdrasil.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.locator('#email').textContent()).toBe('ratatoskr@yggdrasil.example');

    // A reload: the page knows nothing; GET /api/session with Heimdall's cookie tells it who is signed in.
    const before = heimdall.seen.length;
    await page.reload();
    await expect.poll(() => page.locator('#email').textContent()).toBe('ratatoskr@yggdrasil.example');
    const reads = heimdall.seen.slice(before).filter((r) => r.method === 'GET' && r.url === '/api/session');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.origin === spaOrigin && r.hadSessionCookie)).toBe(true);
    // The page's script never sees the session cookie.
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).toBe(
      '',
    );

    // The event stream crosses origins too: a revocation arrives and the page shows the signed-out form.
    await waitForStreams(heimdall, 1);
    const user = (await heimdall.services.users.findByEmail('ratatoskr@yggdrasil.example'))!;
    await heimdall.services.sessions.revokeAll(user.id, { by: 'admin' });
    await page.locator('#signed-out').waitFor();
    expect(await page.locator('#events').textContent()).toContain('session.revoked');

    // Sign in again, then sign out: an unsafe request that needs the CSRF token the client fetched and sent.
    await page.getByLabel('Email').fill('ratatoskr@yggdrasil.example');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#signed-in').waitFor();
    expect(await heimdall.services.sessions.list(user.id)).toHaveLength(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#signed-out').waitFor();
    expect(await heimdall.services.sessions.list(user.id)).toEqual([]);
    expect(heimdall.seen.some((r) => r.method === 'POST' && r.url === '/api/auth/logout' && r.hadSessionCookie)).toBe(
      true,
    );
    expect(await page.locator('#error').textContent()).toBe('');
    expect(problems).toEqual([]);
  });

  it("the client's default passkey ceremonies (the browser's own JSON WebAuthn API) add a passkey, sign in with it alone and answer a second-factor request", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await addVirtualAuthenticator(context, page);
    await page.goto(spaOrigin);
    await page.locator('#signed-out').waitFor();
    // On the SPA's origin, through its import map: a client made with no `passkeys` option uses BROWSER_CEREMONIES.
    const steps = await page.evaluate(
      async ({ baseUrl, password }) => {
        const load = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{
          HeimdallClient: new (o: {
            baseUrl: string;
          }) => Record<string, (...args: unknown[]) => Promise<unknown>> & {
            account: Record<string, (...args: unknown[]) => Promise<unknown>>;
          };
          needsSecondFactor(answer: unknown): boolean;
        }>;
        const { HeimdallClient, needsSecondFactor } = await load('heimdall-auth/client');
        const client = new HeimdallClient({ baseUrl });
        const email = 'huginn@yggdrasil.example';
        await client.register!({ email, password });
        const added = (await client.account.addPasskey!('Virtual key')) as { name: string };
        await client.logout!();
        const alone = (await client.signInWithPasskey!()) as { user: { email: string } };
        const aloneMethods = ((await client.getSession!()) as { session: { methods: string[] } }).session.methods;
        await client.logout!();
        const first = await client.login!({ email, password });
        const asked = needsSecondFactor(first);
        await client.submitSecondFactor!({ passkey: true });
        const bothMethods = ((await client.getSession!()) as { session: { methods: string[] } }).session.methods;
        return { name: added.name, aloneEmail: alone.user.email, aloneMethods, asked, bothMethods };
      },
      { baseUrl: heimdall.origin, password: PASSWORD },
    );
    expect(steps).toEqual({
      name: 'Virtual key',
      aloneEmail: 'huginn@yggdrasil.example',
      aloneMethods: ['passkey'],
      asked: true,
      bothMethods: ['password', 'passkey'],
    });
    await context.close();
  });
});
