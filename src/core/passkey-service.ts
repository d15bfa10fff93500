import type { AuditClient } from './audit.js';
import type { CeremonyPurpose, ChallengeStore } from './ceremonies.js';
import type { Clock } from './clock.js';
import type { FactorChanges } from './factor-changes.js';
import type { Passkey, PasskeyStore } from './factors.js';
import { generatePublicId } from './ids.js';
import type { Authenticated } from './session-service.js';
import { cryptoRandom, hashToken, type RandomSource } from './tokens.js';
import type { User } from './user.js';
import {
  type AuthenticationResponseJSON,
  CEREMONY_TIMEOUT_MS,
  type CeremonyFailure,
  creationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  type RelyingParty,
  requestOptions,
  verifyAssertion,
  verifyRegistration,
} from './webauthn.js';

/** A challenge outlives the browser's ceremony timeout by a little, and no more. */
export const CHALLENGE_TTL_MS = CEREMONY_TIMEOUT_MS + 60_000;
const MAX_NAME_LENGTH = 64;

export interface PasskeyServiceOptions {
  passkeys: PasskeyStore;
  challenges: ChallengeStore;
  changes: FactorChanges;
  relyingParty: RelyingParty;
  clock: Clock;
  random?: RandomSource;
}

/** Where a ceremony's challenge is kept: a key only the right party can name, and what it is for. */
export interface CeremonyKey {
  keyHash: string;
  purpose: CeremonyPurpose;
}

export type PasskeyFailure = CeremonyFailure | { ok: false; code: 'not_found'; reason: string };

/** The key of a ceremony bound to something the server already knows (a session, a pending sign-in). */
export function ceremonyKey(purpose: CeremonyPurpose, boundTo: string): CeremonyKey {
  return { keyHash: hashToken(`${purpose}:${boundTo}`), purpose };
}

/**
 * Passkeys (WebAuthn): registration to the signed-in account, listing, renaming and removal, and assertions for
 * sign-in, re-authentication and the second step of a password sign-in. Each challenge is stored server-side,
 * bound to who asked for it, and taken (deleted) before anything is verified: a replayed assertion finds no
 * challenge, whatever the authenticator's counter says (synced passkeys keep no counter).
 */
export class PasskeyService {
  readonly #passkeys: PasskeyStore;
  readonly #challenges: ChallengeStore;
  readonly #changes: FactorChanges;
  readonly #rp: RelyingParty;
  readonly #clock: Clock;
  readonly #random: RandomSource;

  constructor(options: PasskeyServiceOptions) {
    this.#passkeys = options.passkeys;
    this.#challenges = options.challenges;
    this.#changes = options.changes;
    this.#rp = options.relyingParty;
    this.#clock = options.clock;
    this.#random = options.random ?? cryptoRandom;
  }

  async registrationOptions(auth: Authenticated): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const { user } = auth;
    const userHandle = await this.#passkeys.ensureUserHandle(user.id, this.#random(32).toString('base64url'));
    const existing = await this.#passkeys.listForUser(user.id);
    const options = await creationOptions(
      this.#rp,
      { userHandle, name: user.email, displayName: user.name },
      existing,
      this.#random,
    );
    await this.#putChallenge(ceremonyKey('register', auth.session.id), user.id, options.challenge);
    return options;
  }

  /** Verifies a new credential against the session's registration challenge and adds it to the account. */
  async register(
    auth: Authenticated,
    response: RegistrationResponseJSON,
    name: string | undefined,
    client: AuditClient,
  ): Promise<{ ok: true; passkey: Passkey; user: User } | PasskeyFailure> {
    const challenge = await this.#challenges.take(ceremonyKey('register', auth.session.id).keyHash, 'register');
    if (!challenge || challenge.expiresAt <= this.#clock.now() || challenge.userId !== auth.user.id) {
      return { ok: false, code: 'invalid_request', reason: 'no registration was started here, or it expired' };
    }
    const verified = await verifyRegistration(this.#rp, response, challenge.challenge);
    if (!verified.ok) return verified;
    const now = this.#clock.now();
    const passkey: Passkey = {
      ...verified.credential,
      id: generatePublicId(this.#random),
      userId: auth.user.id,
      name: cleanName(name) ?? defaultName(auth),
      createdAt: now,
      lastUsedAt: null,
    };
    const inserted = await this.#passkeys.insert(passkey, now);
    if (!inserted.ok) return { ok: false, code: 'invalid_request', reason: 'this passkey is already registered' };
    const user = await this.#changes.record(
      auth,
      client,
      { audit: 'passkey.added', notice: 'passkey_added', details: { passkeyId: passkey.id, name: passkey.name } },
      inserted.kinds,
    );
    return { ok: true, passkey, user };
  }

  list(userId: string): Promise<Passkey[]> {
    return this.#passkeys.listForUser(userId);
  }

  async rename(auth: Authenticated, id: string, name: string, client: AuditClient): Promise<Passkey | null> {
    const clean = cleanName(name);
    const renamed = clean ? await this.#passkeys.rename(auth.user.id, id, clean) : null;
    if (renamed)
      await this.#changes.record(auth, client, { audit: 'passkey.renamed', details: { passkeyId: id } }, null);
    return renamed;
  }

  async remove(auth: Authenticated, id: string, client: AuditClient): Promise<User | null> {
    const existing = (await this.#passkeys.listForUser(auth.user.id)).find((p) => p.id === id);
    if (!existing) return null;
    const kinds = await this.#passkeys.remove(auth.user.id, id, this.#clock.now());
    if (!kinds) return null;
    const details = { passkeyId: id, name: existing.name };
    return this.#changes.record(auth, client, { audit: 'passkey.removed', notice: 'passkey_removed', details }, kinds);
  }

  /**
   * Request options for a ceremony. `userId` null: a discoverable sign-in (no credentials listed, no email asked);
   * otherwise the account's own passkeys are the only ones allowed.
   */
  async assertionOptions(key: CeremonyKey, userId: string | null): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const allow = userId === null ? null : await this.#passkeys.listForUser(userId);
    const options = await requestOptions(this.#rp, allow, this.#random);
    await this.#putChallenge(key, userId, options.challenge);
    return options;
  }

  /**
   * Verifies an assertion against the ceremony's challenge (taken first, so it answers once). The credential is
   * looked up by the id the assertion names; its user handle, when the authenticator returns one, must be its
   * owner's; with `expectedUserId` (re-authentication, second step) it must belong to that account.
   */
  async assert(
    key: CeremonyKey,
    response: AuthenticationResponseJSON,
    expectedUserId: string | null,
  ): Promise<{ ok: true; passkey: Passkey } | PasskeyFailure> {
    const challenge = await this.#challenges.take(key.keyHash, key.purpose);
    if (!challenge || challenge.expiresAt <= this.#clock.now()) {
      return {
        ok: false,
        code: 'invalid_request',
        reason: 'no passkey request was started here, or it expired or was used',
      };
    }
    const passkey = await this.#passkeys.findByCredentialId(response.id);
    if (!passkey) return refuse('unknown credential');
    if (expectedUserId !== null && passkey.userId !== expectedUserId) return refuse("another account's passkey");
    const userHandle = response.response.userHandle;
    if (userHandle !== undefined && userHandle !== (await this.#passkeys.userHandleOf(passkey.userId))) {
      // The user handle is not signed: it only ever confirms the stored owner, never names another one.
      return refuse('the user handle is not the credential owner’s');
    }
    const verified = await verifyAssertion(this.#rp, response, challenge.challenge, passkey);
    if (!verified.ok) return verified;
    const now = this.#clock.now();
    const use = { counter: verified.counter, backedUp: verified.backedUp };
    if (!(await this.#passkeys.recordUse(passkey.id, passkey.counter, use, now))) {
      return refuse('the credential was used concurrently');
    }
    return { ok: true, passkey: { ...passkey, ...use, lastUsedAt: now } };
  }

  async #putChallenge(key: CeremonyKey, userId: string | null, challenge: string): Promise<void> {
    const now = this.#clock.now();
    await this.#challenges.put({ ...key, userId, challenge, expiresAt: now + CHALLENGE_TTL_MS }, now);
  }
}

function refuse(reason: string): CeremonyFailure {
  return { ok: false, code: 'invalid_credentials', reason };
}

function cleanName(name: string | undefined): string | null {
  const clean = name
    ?.normalize('NFC')
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, MAX_NAME_LENGTH);
  return clean || null;
}

/** "Chrome on Linux": where the passkey was added, until its owner names it. */
function defaultName(auth: Authenticated): string {
  const { browser, os } = auth.session;
  return browser && os ? `${browser} on ${os}` : (browser ?? os ?? 'Passkey');
}
