import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { Passkey } from './factors.js';
import { cryptoRandom, type RandomSource } from './tokens.js';

export type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
};

/**
 * WebAuthn ceremonies over @simplewebauthn/server, with the rules Heimdall holds to: user verification required
 * (a passkey is then two factors at once), discoverable credentials, no attestation, and the library's exceptions
 * turned into values. The relying party is derived from HEIMDALL_PUBLIC_URL (its host is the RP ID) and every
 * origin allowed to call Heimdall (HEIMDALL_ORIGINS), so an SPA on another origin of the same site works.
 */
export interface RelyingParty {
  id: string;
  name: string;
  origins: string[];
}

/** The relying party of a deployment: RP ID = host of the public URL; origins = the public URL and the others. */
export function relyingPartyOf(publicUrl: string, origins: readonly string[]): RelyingParty {
  return { id: new URL(publicUrl).hostname, name: 'Heimdall', origins: [...new Set([publicUrl, ...origins])] };
}

/** How long a browser may take over a ceremony (the challenge lives a little longer). */
export const CEREMONY_TIMEOUT_MS = 120_000;

export interface WebAuthnAccount {
  /** The account's opaque user handle, base64url (never the email: it is stored on the authenticator). */
  userHandle: string;
  name: string;
  displayName: string;
}

function challengeBytes(random: RandomSource): Uint8Array<ArrayBuffer> {
  return new Uint8Array(random(32));
}

export function creationOptions(
  rp: RelyingParty,
  account: WebAuthnAccount,
  existing: readonly Passkey[],
  random: RandomSource = cryptoRandom,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: account.name,
    userDisplayName: account.displayName,
    userID: new Uint8Array(Buffer.from(account.userHandle, 'base64url')),
    challenge: challengeBytes(random),
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
  });
}

export function requestOptions(
  rp: RelyingParty,
  allow: readonly Passkey[] | null,
  random: RandomSource = cryptoRandom,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    challenge: challengeBytes(random),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'required',
    ...(allow ? { allowCredentials: allow.map((p) => ({ id: p.credentialId, transports: p.transports })) } : {}),
  });
}

export type NewCredential = Pick<
  Passkey,
  'credentialId' | 'publicKey' | 'counter' | 'transports' | 'deviceType' | 'backedUp'
>;

/** A refusal: `invalid_request` for what cannot be decoded, `invalid_credentials` for what does not verify. */
export type CeremonyFailure = { ok: false; code: 'invalid_request' | 'invalid_credentials'; reason: string };

export async function verifyRegistration(
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  expectedChallenge: string,
): Promise<{ ok: true; credential: NewCredential } | CeremonyFailure> {
  const malformed = checkClientData(response.response.clientDataJSON);
  if (malformed) return malformed;
  try {
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
    if (!verified.verified) return refuse('the attestation did not verify');
    const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
    return {
      ok: true,
      credential: {
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: credential.transports ?? [],
        deviceType: credentialDeviceType,
        backedUp: credentialBackedUp,
      },
    };
  } catch (error) {
    return refuse(reasonOf(error));
  }
}

export async function verifyAssertion(
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  passkey: Passkey,
): Promise<{ ok: true; counter: number; backedUp: boolean } | CeremonyFailure> {
  const malformed = checkClientData(response.response.clientDataJSON);
  if (malformed) return malformed;
  try {
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
        counter: passkey.counter,
        transports: passkey.transports,
      },
      requireUserVerification: true,
    });
    if (!verified.verified) return refuse('the signature did not verify');
    const info = verified.authenticationInfo;
    return { ok: true, counter: info.newCounter, backedUp: info.credentialBackedUp };
  } catch (error) {
    return refuse(reasonOf(error));
  }
}

/** Client data that is not base64url JSON with a type, challenge and origin is malformed input, not a bad proof. */
function checkClientData(encoded: string): CeremonyFailure | null {
  try {
    const data = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof data.type === 'string' && typeof data.challenge === 'string' && typeof data.origin === 'string') {
      return null;
    }
  } catch {
    // Falls through to the refusal.
  }
  return { ok: false, code: 'invalid_request', reason: 'clientDataJSON is not base64url-encoded client data' };
}

function refuse(reason: string): CeremonyFailure {
  return { ok: false, code: 'invalid_credentials', reason };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : 'verification failed';
}
