import { ApiError } from './api-error.js';
import type { PasskeyAssertion, PasskeyCreationOptions, PasskeyRegistration, PasskeyRequestOptions } from './types.js';

/**
 * The browser half of a WebAuthn ceremony. The default uses the browser's own JSON helpers
 * (`PublicKeyCredential.parseCreationOptionsFromJSON`, `credential.toJSON()`); an app may pass
 * @simplewebauthn/browser's instead: `{ create: (o) => startRegistration({ optionsJSON: o }), get: (o) =>
 * startAuthentication({ optionsJSON: o }) }`.
 */
export interface PasskeyCeremonies {
  create(options: PasskeyCreationOptions): Promise<PasskeyRegistration>;
  get(options: PasskeyRequestOptions): Promise<PasskeyAssertion>;
}

interface JsonCredentialApi {
  parseCreationOptionsFromJSON?(options: unknown): unknown;
  parseRequestOptionsFromJSON?(options: unknown): unknown;
}
interface CredentialsContainerLike {
  create(options: { publicKey: unknown }): Promise<{ toJSON(): unknown } | null>;
  get(options: { publicKey: unknown }): Promise<{ toJSON(): unknown } | null>;
}

function browserApi(): { parse: JsonCredentialApi; credentials: CredentialsContainerLike } {
  const scope = globalThis as unknown as {
    PublicKeyCredential?: JsonCredentialApi;
    navigator?: { credentials?: CredentialsContainerLike };
  };
  const parse = scope.PublicKeyCredential;
  const credentials = scope.navigator?.credentials;
  if (!parse?.parseCreationOptionsFromJSON || !parse.parseRequestOptionsFromJSON || !credentials) {
    throw new ApiError('passkey_cancelled', 'This browser cannot use passkeys here.', 0);
  }
  return { parse, credentials };
}

export const BROWSER_CEREMONIES: PasskeyCeremonies = {
  async create(options) {
    const { parse, credentials } = browserApi();
    const credential = await credentials.create({ publicKey: parse.parseCreationOptionsFromJSON!(options) });
    if (!credential) throw new ApiError('passkey_cancelled', 'No passkey was created.', 0);
    return credential.toJSON() as PasskeyRegistration;
  },
  async get(options) {
    const { parse, credentials } = browserApi();
    const credential = await credentials.get({ publicKey: parse.parseRequestOptionsFromJSON!(options) });
    if (!credential) throw new ApiError('passkey_cancelled', 'No passkey was used.', 0);
    return credential.toJSON() as PasskeyAssertion;
  },
};

/** The browser's own refusal (cancelled, timed out, no authenticator) as an ApiError an app can describe. */
export async function runCeremony<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ApiError) throw error;
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
