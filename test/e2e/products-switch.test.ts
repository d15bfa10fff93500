import { describe, expect, it } from 'vitest';
import { chromiumSuite } from '../helpers/chromium-suite.js';
import { signUpInPage } from '../helpers/web-pages.js';

/** The web app shows the demo shop only where the deployment has it (PRODUCTS, issue 20). */
describe('the products switch in Chromium', () => {
  const suite = chromiumSuite();

  it('on (the default): Purchases is in the top bar and its page lists the products', async () => {
    const heimdall = await suite.start();
    const { page, problems } = await suite.pages.open();
    await signUpInPage(page, heimdall.origin, 'freya@asgard.example');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Purchases' }).click();
    await page.getByRole('heading', { name: 'Purchases' }).waitFor();
    await page.getByText("Odin's Mead Recipes").first().waitFor();
    expect(problems).toEqual([]);
  });

  it('off: no Purchases in the top bar, and its address is not found', async () => {
    const heimdall = await suite.start({ PRODUCTS: 'off' });
    const { page, problems } = await suite.pages.open();
    await signUpInPage(page, heimdall.origin, 'freya@asgard.example');
    const nav = page.getByRole('navigation', { name: 'Main' });
    // The session has been read again since the sign-up (the features come with it): the top bar is final.
    await page.reload();
    await page.getByTestId('signed-in-email').waitFor();
    await nav.getByRole('link', { name: 'Devices' }).waitFor();
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Account',
      'Security',
      'Devices',
      'Activity',
      'Admin',
    ]);
    await page.goto(`${heimdall.origin}/purchases`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(problems).toEqual([]);
  });
});
