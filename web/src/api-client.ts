import {
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser';
import { HeimdallClient, type PasskeyAssertion, type PasskeyRegistration } from '../../src/client/index.js';

/**
 * The web app's one instance of heimdall-auth/client (src/client): the same typed client another team's SPA uses.
 * This file only binds it to the page: where the API is, the passkey ceremonies, and the handlers the app sets.
 */
export { ApiError, AUDIT_EVENT_TYPES, EVENT_TYPES } from '../../src/client/index.js';
export type * from '../../src/client/types.js';

/**
 * The API base: empty for the SPA's own origin (served by Heimdall), or an origin set at build time or by the host
 * in <meta name="heimdall-api-url">.
 */
function readApiBase(): string {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="heimdall-api-url"]');
  const value = (meta?.content ?? '').trim().replace(/\/+$/, '');
  return /^https?:\/\//.test(value) ? value : '';
}

let onUnauthenticated: (() => void) | null = null;
let onReauthenticationRequired: (() => Promise<boolean>) | null = null;

/** Called when a request that needed a session finds none (it ended elsewhere or expired). */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

/**
 * Called when an action answers `reauthentication_required`: it asks the person to confirm it is them and resolves
 * true once the session is fresh, false if they decline. The client then retries the action once.
 */
export function setReauthenticationHandler(handler: (() => Promise<boolean>) | null): void {
  onReauthenticationRequired = handler;
}

export const api = new HeimdallClient({
  baseUrl: readApiBase(),
  // @simplewebauthn/browser also covers browsers without the JSON WebAuthn helpers.
  passkeys: {
    create: async (options) =>
      (await startRegistration({
        optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON,
      })) as unknown as PasskeyRegistration,
    get: async (options) =>
      (await startAuthentication({
        optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON,
      })) as unknown as PasskeyAssertion,
  },
  onUnauthenticated: () => onUnauthenticated?.(),
  onReauthenticationRequired: async () => (onReauthenticationRequired ? onReauthenticationRequired() : false),
});

/** An address on Heimdall (sign-on start links, download links). */
export function apiUrl(path: string): string {
  return api.url(path);
}
