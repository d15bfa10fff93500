import type { SecondFactorKind } from './user.js';

/**
 * Second factors as core sees them (API.md, "Second factors"), and the ports where they live. Every change that
 * adds or removes a factor answers with the account's resulting kinds, which the store wrote to the user record in
 * the same transaction as the factor itself (`user.secondFactors` never disagrees with the factor tables).
 */

/** An account's authenticator app: the active secret and, while enrolling, the one waiting for its first code. */
export interface TotpFactor {
  userId: string;
  /** SecretBox-sealed base32 secret (context `totp:<userId>`); null until a first code confirmed one. */
  sealedSecret: string | null;
  /** The last RFC 6238 time step accepted: a code of this step or an earlier one is never accepted again. */
  lastStep: number | null;
  enabledAt: number | null;
  pendingSealedSecret: string | null;
  pendingExpiresAt: number | null;
}

/** Port: authenticator-app secrets, with the recovery codes their confirmation issues. */
export interface TotpStore {
  find(userId: string): Promise<TotpFactor | null>;
  /** Stores a secret waiting for its first code; an active secret stays active meanwhile. */
  setPending(userId: string, sealedSecret: string, expiresAt: number, now: number): Promise<void>;
  /**
   * Makes the pending secret (exactly `sealedSecret`, not expired) the active one with `step` as its last step, and
   * replaces the recovery codes with `codeDigests`, in one transaction. Null when that secret is no longer pending.
   */
  confirm(
    userId: string,
    sealedSecret: string,
    step: number,
    codeDigests: string[],
    now: number,
  ): Promise<SecondFactorKind[] | null>;
  /** Removes the authenticator app (recovery codes go too when no factor is left); null when there was none. */
  remove(userId: string, now: number): Promise<SecondFactorKind[] | null>;
  /** Records `step` as accepted unless it is not newer than the last one: false means a replay (atomic). */
  acceptStep(userId: string, step: number): Promise<boolean>;
}

export interface RecoveryCodeStatus {
  remaining: number;
  /** When the current set was issued; null when the account has none. */
  generatedAt: number | null;
}

/** Port: single-use recovery codes, kept only as keyed digests. */
export interface RecoveryCodeStore {
  /** Replaces every code of the account, only while it has a second factor; false when it has none. */
  replace(userId: string, codeDigests: string[], now: number): Promise<boolean>;
  /** Marks an unused code used; false when there is no such unused code (atomic: a code is spent once). */
  consume(userId: string, codeDigest: string, now: number): Promise<boolean>;
  status(userId: string): Promise<RecoveryCodeStatus>;
}

/** A WebAuthn credential registered to an account (a passkey: discoverable, user verification required). */
export interface Passkey {
  /** Heimdall's public id for it (random; short enough for any URL), used to rename and remove it. */
  id: string;
  /** The WebAuthn credential id, base64url (up to 1,023 bytes): what an assertion names itself by. */
  credentialId: string;
  userId: string;
  name: string;
  /** COSE public key, base64url. */
  publicKey: string;
  /** The authenticator's signature counter (0 for authenticators that keep none, such as synced passkeys). */
  counter: number;
  transports: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export type InsertPasskeyResult = { ok: true; kinds: SecondFactorKind[] } | { ok: false; code: 'credential_taken' };

/** Port: passkeys and each account's opaque WebAuthn user handle. */
export interface PasskeyStore {
  /** The account's user handle, creating `candidate` as it when there is none yet (so it never changes). */
  ensureUserHandle(userId: string, candidate: string): Promise<string>;
  userHandleOf(userId: string): Promise<string | null>;
  insert(passkey: Passkey, now: number): Promise<InsertPasskeyResult>;
  findByCredentialId(credentialId: string): Promise<Passkey | null>;
  listForUser(userId: string): Promise<Passkey[]>;
  rename(userId: string, id: string, name: string): Promise<Passkey | null>;
  /**
   * Records a verified use: the new counter and backup state, if the stored counter is still `expectedCounter`
   * (compare-and-set: two uses racing with one counter value cannot both pass).
   */
  recordUse(
    id: string,
    expectedCounter: number,
    use: { counter: number; backedUp: boolean },
    now: number,
  ): Promise<boolean>;
  remove(userId: string, id: string, now: number): Promise<SecondFactorKind[] | null>;
}
