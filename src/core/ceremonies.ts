import type { AuthMethod } from './session.js';

/**
 * Short-lived server-side state of multi-step proofs: WebAuthn challenges and sign-ins waiting for their second
 * factor. Both are single use: `take` reads and deletes in one step, so of two requests racing with one key, one
 * gets the row. Only digests of the keys that name them are stored.
 */

/**
 * What a challenge was issued for; a challenge answers only the ceremony it was made for. Besides WebAuthn's, the
 * device-binding (DBSC) proofs of registration and refresh use the same single-use store (issue 21).
 */
export type CeremonyPurpose = 'register' | 'sign-in' | 'step-up' | 'second-factor' | 'dbsc-register' | 'dbsc-refresh';

export interface WebAuthnChallenge {
  /** SHA-256 of what binds it: a cookie's secret (sign-in), or the session or pending sign-in it belongs to. */
  keyHash: string;
  purpose: CeremonyPurpose;
  /** The account the ceremony is for (null for a discoverable sign-in, which names no one). */
  userId: string | null;
  challenge: string;
  expiresAt: number;
}

/** Port: outstanding WebAuthn challenges. */
export interface ChallengeStore {
  /** Stores the challenge, replacing one under the same key and dropping expired ones. */
  put(challenge: WebAuthnChallenge, now: number): Promise<void>;
  /** Removes and returns the challenge under the key if it was issued for `purpose`. */
  take(keyHash: string, purpose: CeremonyPurpose): Promise<WebAuthnChallenge | null>;
}

/** A sign-in whose first factor was proven and whose second is awaited (API.md: the `__Host-heimdall-2fa` cookie). */
export interface PendingSignIn {
  /** SHA-256 of the 2fa cookie's secret. */
  keyHash: string;
  userId: string;
  /** What was proven so far: `password`, or `oidc` (third-party sign-on). */
  methods: readonly AuthMethod[];
  /** The provider of a third-party sign-on, for the session it becomes. */
  provider: string | null;
  rememberMe: boolean;
  /** Where a third-party sign-on was going (validated: a same-origin path or a URL on an allowed origin). */
  returnTo: string | null;
  failures: number;
  createdAt: number;
  expiresAt: number;
}

/** Port: sign-ins awaiting a second factor. */
export interface PendingSignInStore {
  insert(pending: PendingSignIn, now: number): Promise<void>;
  find(keyHash: string): Promise<PendingSignIn | null>;
  /** Counts a wrong code; at `maxFailures` the sign-in is dropped (the first factor must be proven again). */
  recordFailure(keyHash: string, maxFailures: number): Promise<'kept' | 'dropped'>;
  take(keyHash: string): Promise<PendingSignIn | null>;
}
