import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { OWN_PORT } from './web-servers.js';

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
export function publicUrlEnv(): Record<string, string> {
  return { PORT: OWN_PORT, HEIMDALL_PUBLIC_URL: `http://localhost:${OWN_PORT}` };
}

/** fetch() inside the page, as the SPA makes it (same origin, cookies), with its CSRF token on unsafe methods. */
export async function pageFetch<T = unknown>(
  page: Page,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
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
  ) as Promise<{ status: number; body: T }>;
}

/** What the page offers of WebAuthn, typed for this file. */
interface PageWebAuthn {
  navigator: { credentials: { get(options: unknown): Promise<{ toJSON(): Record<string, unknown> }> } };
  PublicKeyCredential: { parseRequestOptionsFromJSON(options: unknown): unknown };
}

/**
 * Asks the page's authenticator for an assertion over `options` (request options JSON) with the browser's native
 * helpers (Chromium 156 has them), and returns the credential's `toJSON()` for the test to send, alter or replay.
 */
export function signInPage(page: Page, options: unknown): Promise<Record<string, unknown>> {
  return page.evaluate(async (options) => {
    // The page's globals (this file compiles without the DOM library).
    const { navigator, PublicKeyCredential } = globalThis as unknown as PageWebAuthn;
    const credential = await navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
    });
    return credential.toJSON();
  }, options);
}

/** Fetches request options from `optionsPath` in the page (its cookies and CSRF token), then asks for an assertion. */
export async function assertInPage(
  page: Page,
  optionsPath: string,
): Promise<{ options: Record<string, unknown>; assertion: Record<string, unknown> }> {
  const { status, body } = await pageFetch<Record<string, unknown>>(page, optionsPath, { method: 'POST', body: {} });
  if (status !== 200) throw new Error(`${optionsPath}: ${status} ${JSON.stringify(body)}`);
  return { options: body, assertion: await signInPage(page, body) };
}

/** Signs up in the page through the API (faster than the form) and adds a passkey made by its authenticator. */
export async function signUpWithPasskey(page: Page, origin: string, email: string, password: string): Promise<string> {
  await page.goto(`${origin}/signin`);
  const registered = await pageFetch<{ user: { id: string } }>(page, '/api/auth/register', {
    method: 'POST',
    body: { email, password },
  });
  if (registered.status !== 201) throw new Error(`register ${email}: ${registered.status}`);
  const { body: options } = await pageFetch(page, '/api/account/passkeys/options', { method: 'POST', body: {} });
  const response = await page.evaluate(async (options) => {
    const { navigator, PublicKeyCredential } = globalThis as unknown as {
      navigator: { credentials: { create(o: unknown): Promise<{ toJSON(): unknown }> } };
      PublicKeyCredential: { parseCreationOptionsFromJSON(o: unknown): unknown };
    };
    const credential = await navigator.credentials.create({
      publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
    });
    return credential.toJSON();
  }, options);
  const added = await pageFetch(page, '/api/account/passkeys', { method: 'POST', body: { response } });
  if (added.status !== 201) throw new Error(`add passkey for ${email}: ${added.status} ${JSON.stringify(added.body)}`);
  return registered.body.user.id;
}
