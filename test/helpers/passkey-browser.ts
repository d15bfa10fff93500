import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { findFreePort } from './free-port.js';

/**
 * Chromium's own WebAuthn implementation with a virtual authenticator (CDP `WebAuthn.addVirtualAuthenticator`): a
 * platform authenticator that holds resident credentials, verifies the user and answers without a prompt. Tests
 * make no assertion by hand; Chromium signs them. One per browser context, so each user has their own: with two
 * credentials for one site on one authenticator, Chromium picks one without a fixed rule.
 */
export interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
  /** The credentials the authenticator holds (resident, with their signature counters). */
  credentials(): Promise<
    { credentialId: string; isResidentCredential: boolean; signCount: number; userHandle?: string }[]
  >;
  /** Makes the authenticator refuse (or pass) user verification from now on. */
  setUserVerified(verified: boolean): Promise<void>;
}

export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<VirtualAuthenticator> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    cdp,
    authenticatorId,
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    setUserVerified: async (isUserVerified) => {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified });
    },
  };
}

/** The environment for a Heimdall whose public URL is the origin the browser will use (WebAuthn's RP ID and origin). */
export async function publicUrlEnv(): Promise<Record<string, string>> {
  const port = await findFreePort();
  return { PORT: String(port), HEIMDALL_PUBLIC_URL: `http://localhost:${port}` };
}

/** fetch() inside the page, as the SPA makes it (same origin, cookies), with its CSRF token on unsafe methods. */
export async function pageFetch(
  page: Page,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: any }> {
  return page.evaluate(
    async ({ path, init }) => {
      const who = await fetch('/api/session', { credentials: 'include' });
      const csrf = who.ok ? ((await who.json()) as { csrfToken: string }).csrfToken : '';
      const response = await fetch(path, {
        method: init.method ?? 'GET',
        credentials: 'include',
        headers: {
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(csrf ? { 'x-csrf-token': csrf } : {}),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    { path, init },
  );
}

/**
 * Runs a WebAuthn ceremony in the page with the browser's native JSON helpers (Chromium 156 has them): fetches the
 * options from `optionsPath`, asks the authenticator, and returns the credential's `toJSON()` for the test to send
 * (or replay) as it likes.
 */
export async function assertInPage(page: Page, optionsPath: string): Promise<any> {
  return page.evaluate(async (optionsPath) => {
    const who = await fetch('/api/session', { credentials: 'include' });
    const csrf = who.ok ? ((await who.json()) as { csrfToken: string }).csrfToken : '';
    const answer = await fetch(optionsPath, {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      body: '{}',
    });
    const options = await answer.json();
    // The page's globals (this file compiles without the DOM library).
    const { navigator, PublicKeyCredential } = globalThis as any;
    const credential = await navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
    });
    return credential.toJSON();
  }, optionsPath);
}
