import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSuite } from '../helpers/chromium-suite.js';
import {
  addVirtualAuthenticator,
  assertInPage,
  pageFetch,
  publicUrlEnv,
  signInPage,
  signUpWithPasskey,
} from '../helpers/passkey-browser.js';
import { PASSWORD } from '../helpers/test-app.js';

type Assertion = Record<string, unknown> & { id: string; response: Record<string, string> };

/**
 * Attacks on passkeys, each with assertions Chromium's own authenticator signed (ASVS 6.7.2, 7.5.1, 6.3.4): a replayed
 * assertion, another account's passkey presented for this one, and a user handle forged to name another account.
 * Every refusal must leave the attacker without a session and the victim's session as it was.
 */
describe('attacks on passkeys', () => {
  const suite = chromiumSuite();

  /** Two users, each in their own browser profile with their own authenticator (one passkey each). */
  async function twoUsers() {
    const heimdall = await suite.start(publicUrlEnv());
    const browsers: { page: Page; userId: string }[] = [];
    for (const email of ['alice@example.com', 'mallory@example.com']) {
      const { context, page } = await suite.pages.open();
      await addVirtualAuthenticator(context, page);
      browsers.push({ page, userId: await signUpWithPasskey(page, heimdall.origin, email, PASSWORD) });
    }
    const [alice, mallory] = browsers as [(typeof browsers)[0], (typeof browsers)[0]];
    return { heimdall, alice, mallory };
  }

  const signInWith = (page: Page, response: unknown) =>
    pageFetch<{ error?: { code: string } }>(page, '/api/auth/passkey', { method: 'POST', body: { response } });

  it('6.7.2: a replayed sign-in assertion is refused, with the same cookie or a fresh challenge', async () => {
    const { mallory } = await twoUsers();
    const page = mallory.page;
    await pageFetch(page, '/api/auth/logout', { method: 'POST' });
    const { assertion } = await assertInPage(page, '/api/auth/passkey/options');
    expect((await signInWith(page, assertion)).status).toBe(200);
    await pageFetch(page, '/api/auth/logout', { method: 'POST' });

    // Its challenge is spent (and its cookie cleared): the same assertion again signs nothing in.
    const again = await signInWith(page, assertion);
    expect(again.status).toBe(400);
    expect(again.body.error?.code).toBe('invalid_request');
    // Against a fresh challenge it does not answer the question asked.
    await pageFetch(page, '/api/auth/passkey/options', { method: 'POST', body: {} });
    const stale = await signInWith(page, assertion);
    expect(stale.status).toBe(401);
    expect(stale.body.error?.code).toBe('invalid_credentials');
    expect((await pageFetch(page, '/api/session')).status).toBe(401);
  });

  it('7.5.1: another account’s passkey cannot re-authenticate this session, nor finish its two-step sign-in', async () => {
    const { alice, mallory } = await twoUsers();
    // Mallory holds Alice's session (stolen cookie, say) and wants it fresh: she signs Alice's challenge with hers.
    const { options } = await assertInPage(alice.page, '/api/auth/reauthenticate/options');
    const { allowCredentials: _alices, ...anyCredential } = options;
    const mallorys = (await signInPage(mallory.page, anyCredential)) as Assertion;
    const before = (await pageFetch<{ session: { authenticatedAt: string } }>(alice.page, '/api/session')).body;
    const refused = await pageFetch<{ error?: { code: string } }>(alice.page, '/api/auth/reauthenticate', {
      method: 'POST',
      body: { passkey: mallorys },
    });
    expect(refused.status).toBe(401);
    expect(refused.body.error?.code).toBe('invalid_credentials');
    const after = (await pageFetch<{ session: { authenticatedAt: string } }>(alice.page, '/api/session')).body;
    expect(after.session.authenticatedAt).toBe(before.session.authenticatedAt);

    // Alice's password sign-in is held for her second factor; Mallory's passkey does not finish it.
    await pageFetch(alice.page, '/api/auth/logout', { method: 'POST' });
    const held = await pageFetch<{ secondFactorRequired?: boolean }>(alice.page, '/api/auth/login', {
      method: 'POST',
      body: { email: 'alice@example.com', password: PASSWORD },
    });
    expect(held.body.secondFactorRequired).toBe(true);
    const { allowCredentials: _again, ...secondStep } = (
      await pageFetch<Record<string, unknown>>(alice.page, '/api/auth/login/second-factor/options', {
        method: 'POST',
        body: {},
      })
    ).body;
    const foreign = await signInPage(mallory.page, secondStep);
    const finish = await pageFetch(alice.page, '/api/auth/login/second-factor', {
      method: 'POST',
      body: { passkey: foreign },
    });
    expect(finish.status).toBe(401);
    expect((await pageFetch(alice.page, '/api/session')).status).toBe(401);
  });

  it('6.3.4: a forged user handle or credential id never turns one account’s assertion into another’s sign-in', async () => {
    const { alice, mallory } = await twoUsers();
    await pageFetch(alice.page, '/api/auth/logout', { method: 'POST' });
    const alices = (await assertInPage(alice.page, '/api/auth/passkey/options')).assertion as Assertion;
    expect((await signInWith(alice.page, alices)).status).toBe(200);

    // Mallory's own assertion, claiming to be Alice: by user handle (not signed), then by credential id.
    for (const forge of [
      (a: Assertion) => ({ ...a, response: { ...a.response, userHandle: alices.response.userHandle } }),
      (a: Assertion) => ({ ...a, id: alices.id, rawId: alices.id }),
    ]) {
      await pageFetch(mallory.page, '/api/auth/logout', { method: 'POST' });
      const mallorys = (await assertInPage(mallory.page, '/api/auth/passkey/options')).assertion as Assertion;
      const forged = await signInWith(mallory.page, forge(mallorys));
      expect(forged.status).toBe(401);
      expect((await pageFetch(mallory.page, '/api/session')).status).toBe(401);
    }
  });
});
