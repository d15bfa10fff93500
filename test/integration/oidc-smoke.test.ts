import { afterAll, beforeAll, expect, it } from 'vitest';
import { Browser } from '../helpers/browser.js';
import { type OidcHarness, sessionOf, startOidcHarness } from '../helpers/oidc-harness.js';

let h: OidcHarness;
beforeAll(async () => {
  h = await startOidcHarness();
});
afterAll(async () => {
  await h?.close();
});

it('smoke', async () => {
  const browser = new Browser();
  const response = await h.signIn(browser, 'idp', 'alice-sub', { returnTo: '/account' });
  console.log(response.status, response.headers.get('location'), h.audits());
  console.log(await sessionOf(browser, h.url));
  expect(response.status).toBe(302);
});
