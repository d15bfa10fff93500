import {
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser';
import { ApiError, request } from './api-client.js';
import type { PasskeyInfo, SessionEnvelope, SessionInfo, User, Warning } from './api-types.js';

/** The second-factor and step-up endpoints (docs/api.md, "Second factors" and "Fresh authentication"). */

export interface SignedIn extends SessionEnvelope {
  warnings: Warning[];
  returnTo?: string | null;
}

export const factorApi = {
  startTotp: () => request<{ secret: string; otpauthUrl: string }>('POST', '/api/account/totp'),
  confirmTotp: (code: string) =>
    request<{ recoveryCodes: string[] }>('POST', '/api/account/totp/confirm', { body: { code } }),
  removeTotp: () => request<void>('DELETE', '/api/account/totp'),
  recoveryCodeStatus: () =>
    request<{ remaining: number; generatedAt: string | null }>('GET', '/api/account/recovery-codes'),
  regenerateRecoveryCodes: () => request<{ recoveryCodes: string[] }>('POST', '/api/account/recovery-codes'),
  listPasskeys: () => request<{ passkeys: PasskeyInfo[] }>('GET', '/api/account/passkeys'),
  renamePasskey: (id: string, name: string) =>
    request<{ passkey: PasskeyInfo }>('PATCH', `/api/account/passkeys/${encodeURIComponent(id)}`, { body: { name } }),
  removePasskey: (id: string) => request<void>('DELETE', `/api/account/passkeys/${encodeURIComponent(id)}`),

  /** Creates a passkey with the browser's authenticator and registers it to this account. */
  async addPasskey(name: string): Promise<PasskeyInfo> {
    const options = await request<PublicKeyCredentialCreationOptionsJSON>('POST', '/api/account/passkeys/options');
    const response: RegistrationResponseJSON = await ceremony(() => startRegistration({ optionsJSON: options }));
    const body = name.trim() ? { response, name: name.trim() } : { response };
    return (await request<{ passkey: PasskeyInfo }>('POST', '/api/account/passkeys', { body })).passkey;
  },

  /** Signs in with a passkey alone (discoverable credentials: no email asked). */
  async signInWithPasskey(): Promise<SignedIn> {
    const options = await request<PublicKeyCredentialRequestOptionsJSON>('POST', '/api/auth/passkey/options', {
      expectUnauthenticated: true,
    });
    const response = await assert(options);
    return request<SignedIn>('POST', '/api/auth/passkey', { body: { response }, expectUnauthenticated: true });
  },

  /** Finishes a held sign-in with a code, a recovery code or a passkey (the 2fa cookie names it). */
  async finishSignIn(proof: { totp: string } | { recoveryCode: string } | { passkey: true }): Promise<SignedIn> {
    const options = { expectUnauthenticated: true } as const;
    if ('passkey' in proof) {
      const requestOptions = await request<PublicKeyCredentialRequestOptionsJSON>(
        'POST',
        '/api/auth/login/second-factor/options',
        options,
      );
      const passkey = await assert(requestOptions);
      return request<SignedIn>('POST', '/api/auth/login/second-factor', { ...options, body: { passkey } });
    }
    return request<SignedIn>('POST', '/api/auth/login/second-factor', { ...options, body: proof });
  },

  /** Re-authentication: the session stays, its proof is new (the answer carries the new CSRF token). */
  async reauthenticate(
    proof: { password?: string; totp?: string } | { passkey: true },
  ): Promise<{ user: User; session: SessionInfo }> {
    const noReauthentication = true;
    if ('passkey' in proof) {
      const options = await request<PublicKeyCredentialRequestOptionsJSON>('POST', '/api/auth/reauthenticate/options', {
        noReauthentication,
      });
      const passkey = await assert(options);
      return request('POST', '/api/auth/reauthenticate', { body: { passkey }, noReauthentication });
    }
    return request('POST', '/api/auth/reauthenticate', { body: proof, noReauthentication });
  },
};

function assert(options: PublicKeyCredentialRequestOptionsJSON): Promise<AuthenticationResponseJSON> {
  return ceremony(() => startAuthentication({ optionsJSON: options }));
}

/** The browser's own refusal (cancelled, timed out, no authenticator) as an ApiError the pages can describe. */
async function ceremony<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const message =
      name === 'NotAllowedError' || name === 'AbortError'
        ? 'The passkey request was cancelled or timed out.'
        : name === 'InvalidStateError'
          ? 'This authenticator already holds a passkey for this account.'
          : 'This browser could not use a passkey here.';
    throw new ApiError('passkey_cancelled', message, 0);
  }
}
