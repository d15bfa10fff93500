import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSuite } from '../helpers/chromium-suite.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { signUpInPage } from '../helpers/web-pages.js';

const SAMPLES = fileURLToPath(new URL('../../assets/downloads/', import.meta.url));
const MEAD = "Odin's Mead Recipes";

const suite = chromiumSuite();

/** GET from inside the page, as any script or address bar on that page could: status and error code. */
function fetchInPage(page: Page, url: string): Promise<{ status: number; code: string | null }> {
  return page.evaluate(async (target) => {
    const response = await fetch(target, { credentials: 'omit' });
    const body = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
    return { status: response.status, code: body?.error?.code ?? null };
  }, url);
}

/** The link with its token's claims rewritten (a later `exp`) and the signature kept, as a forger would. */
function withExtendedExpiry(link: string): string {
  const url = new URL(link);
  const [header, payload, signature] = url.searchParams.get('token')!.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { exp: number };
  claims.exp += 86_400;
  url.searchParams.set(
    'token',
    [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.'),
  );
  return url.href;
}

describe('the purchases page in Chromium', () => {
  it('buys a product, shows when its link expires, and downloads the exact file through the link', async () => {
    const clock = new FakeClock(Date.now());
    const server = await suite.start({}, { clock });
    const { page, problems } = await suite.pages.open();
    await signUpInPage(page, server.origin, 'odin@asgard.example');
    await page.getByRole('link', { name: 'Purchases' }).click();

    const mead = page.getByRole('region', { name: MEAD });
    await mead.getByText('€4.99').waitFor();
    await page.getByRole('region', { name: 'Bifröst Transit Map' }).getByText('€12.99').waitFor();
    // Nothing bought yet, so there is nothing to download.
    expect(await page.getByRole('button', { name: 'Get download link' }).count()).toBe(0);

    await mead.getByRole('button', { name: `Buy ${MEAD}` }).click();
    await mead.getByText('Purchased').waitFor();
    await mead.getByLabel('Link valid for').selectOption({ label: '5 minutes' });
    await mead.getByRole('button', { name: 'Get download link' }).click();
    const expiry = mead.getByText(/^Link expires/).locator('time');
    await expiry.waitFor();
    const expiresAt = Date.parse((await expiry.getAttribute('datetime'))!);
    expect(Math.abs(expiresAt - (clock.now() + 300_000))).toBeLessThan(1_000);
    expect(await mead.getByText(/^Link expires/).textContent()).toContain('in 5 minutes');

    const link = await mead.getByLabel('Download link').inputValue();
    expect(new URL(link).origin).toBe(server.origin);
    expect(new URL(link).pathname).toBe('/downloads/mead-recipes');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      mead.getByRole('button', { name: 'Download', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('mead-recipes.txt');
    const expected = readFileSync(`${SAMPLES}mead-recipes.txt`);
    expect(readFileSync((await download.path())!).equals(expected)).toBe(true);

    // The page fetched it with the link alone (no cookie), so anyone holding the link can: here, a plain client.
    const direct = await fetch(link);
    expect(direct.status).toBe(200);
    expect(Buffer.from(await direct.arrayBuffer()).equals(expected)).toBe(true);
    // The session was never part of it.
    expect(server.seen.filter((r) => r.url.startsWith('/downloads/')).every((r) => !r.hadSessionCookie)).toBe(true);
    expect(problems).toEqual([]);
  });

  it('refuses a tampered link, a link for another product and an expired link, and says so on the page', async () => {
    const clock = new FakeClock(Date.now());
    const server = await suite.start({}, { clock });
    const { page, problems } = await suite.pages.open();
    await signUpInPage(page, server.origin, 'loki@asgard.example');
    await page.getByRole('link', { name: 'Purchases' }).click();
    const mead = page.getByRole('region', { name: MEAD });
    await mead.getByRole('button', { name: `Buy ${MEAD}` }).click();
    await mead.getByLabel('Link valid for').selectOption({ label: '1 minute' });
    await mead.getByRole('button', { name: 'Get download link' }).click();
    await mead.getByText(/^Link expires/).waitFor();
    const link = await mead.getByLabel('Download link').inputValue();
    let downloads = 0;
    page.on('download', () => downloads++);

    // A forged later expiry breaks the signature; the token is not good for another product either.
    expect(await fetchInPage(page, withExtendedExpiry(link))).toEqual({ status: 401, code: 'unauthenticated' });
    const otherProduct = link.replace('/downloads/mead-recipes', '/downloads/bifrost-map');
    expect(await fetchInPage(page, otherProduct)).toEqual({ status: 401, code: 'unauthenticated' });

    // Time passes on the server's clock (no waiting): past the 1-minute lifetime and the 5 s tolerance.
    clock.advance(66_000);
    expect(await fetchInPage(page, link)).toEqual({ status: 401, code: 'token_expired' });
    await mead.getByRole('button', { name: 'Download', exact: true }).click();
    await mead.getByRole('alert').getByText('This download link has expired. Get a new link.').waitFor();
    expect(downloads).toBe(0);
    // A refused link is not a lost session: the page stays signed in, on this page.
    expect(new URL(page.url()).pathname).toBe('/purchases');
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();

    // A new link works again.
    await mead.getByRole('button', { name: 'Get download link' }).click();
    await expectAlertGone(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      mead.getByRole('button', { name: 'Download', exact: true }).click(),
    ]);
    expect(readFileSync((await download.path())!).equals(readFileSync(`${SAMPLES}mead-recipes.txt`))).toBe(true);
    expect(problems).toEqual([]);
  });
});

async function expectAlertGone(page: Page): Promise<void> {
  await page.getByRole('alert').waitFor({ state: 'detached' });
}
