import type { AuditClient } from './audit.js';
import type { Clock } from './clock.js';
import type { FactorChanges } from './factor-changes.js';
import type { RecoveryCodeStatus, RecoveryCodeStore, TotpStore } from './factors.js';
import { generateRecoveryCodes, type RecoveryCodeDigester } from './recovery-codes.js';
import type { SecretBox } from './secret-box.js';
import type { Authenticated } from './session-service.js';
import { cryptoRandom, type RandomSource } from './tokens.js';
import { generateTotpSecret, otpauthUrl, verifyTotp } from './totp.js';
import type { User } from './user.js';

/** How long a started enrolment waits for its first code. */
export const TOTP_ENROLMENT_TTL_MS = 15 * 60_000;

export interface TotpServiceOptions {
  totp: TotpStore;
  recoveryCodes: RecoveryCodeStore;
  /** Seals secrets at rest under HEIMDALL_SECRET: the server must read them back, unlike digests. */
  box: SecretBox;
  digester: RecoveryCodeDigester;
  changes: FactorChanges;
  clock: Clock;
  random?: RandomSource;
}

export type TotpFailure = { ok: false; code: 'invalid_request' | 'not_found'; message: string };

/** The result of checking a code or a recovery code presented as a second factor. */
export type FactorCheck = 'accepted' | 'refused';

const sealContext = (userId: string) => `totp:${userId}`;

/**
 * The authenticator app (TOTP) and recovery codes: enrolment confirmed by a first code, removal, regeneration of
 * recovery codes, and the checks that sign-in, token grants and re-authentication make. Checks never throttle or
 * audit failures themselves: the caller counts them toward the login limits with the rest of its proof.
 */
export class TotpService {
  readonly #totp: TotpStore;
  readonly #codes: RecoveryCodeStore;
  readonly #box: SecretBox;
  readonly #digester: RecoveryCodeDigester;
  readonly #changes: FactorChanges;
  readonly #clock: Clock;
  readonly #random: RandomSource;

  constructor(options: TotpServiceOptions) {
    this.#totp = options.totp;
    this.#codes = options.recoveryCodes;
    this.#box = options.box;
    this.#digester = options.digester;
    this.#changes = options.changes;
    this.#clock = options.clock;
    this.#random = options.random ?? cryptoRandom;
  }

  /** Starts an enrolment: a new secret, pending until a code from it is confirmed (an active one stays meanwhile). */
  async start(user: User): Promise<{ secret: string; otpauthUrl: string; expiresAt: number }> {
    const secret = generateTotpSecret(this.#random);
    const now = this.#clock.now();
    const expiresAt = now + TOTP_ENROLMENT_TTL_MS;
    await this.#totp.setPending(user.id, this.#box.seal(secret, sealContext(user.id)), expiresAt, now);
    return { secret, otpauthUrl: otpauthUrl(secret, user.email), expiresAt };
  }

  /**
   * Confirms the pending secret with a code from it: it becomes the account's authenticator app (replacing any
   * earlier one), and a new set of recovery codes is issued, returned here once and stored only as digests.
   */
  async confirm(
    auth: Authenticated,
    code: string,
    client: AuditClient,
  ): Promise<{ ok: true; recoveryCodes: string[]; user: User } | TotpFailure> {
    const now = this.#clock.now();
    const record = await this.#totp.find(auth.user.id);
    const sealed = record?.pendingSealedSecret;
    if (!sealed || (record.pendingExpiresAt ?? 0) <= now) {
      return { ok: false, code: 'invalid_request', message: 'No authenticator app is being set up; start again.' };
    }
    const secret = this.#box.open(sealed, sealContext(auth.user.id));
    const checked = secret ? verifyTotp(secret, code, now) : { ok: false as const };
    if (!checked.ok) {
      return { ok: false, code: 'invalid_request', message: 'That code is not right; check the app and try again.' };
    }
    const recoveryCodes = generateRecoveryCodes(this.#random);
    const digests = recoveryCodes.map((c) => this.#digester.digest(auth.user.id, c)!);
    const kinds = await this.#totp.confirm(auth.user.id, sealed, checked.step, digests, now);
    if (!kinds) return { ok: false, code: 'invalid_request', message: 'This set-up was replaced; start again.' };
    const replaced = record.sealedSecret !== null;
    const user = await this.#changes.record(
      auth,
      client,
      { audit: 'totp.enabled', notice: 'second_factor_added', details: { factor: 'totp', replaced } },
      kinds,
    );
    return { ok: true, recoveryCodes, user };
  }

  async remove(auth: Authenticated, client: AuditClient): Promise<{ ok: true; user: User } | TotpFailure> {
    const kinds = await this.#totp.remove(auth.user.id, this.#clock.now());
    if (!kinds) return { ok: false, code: 'not_found', message: 'No authenticator app is set up.' };
    const change = { audit: 'totp.disabled', notice: 'second_factor_removed', details: { factor: 'totp' } } as const;
    return { ok: true, user: await this.#changes.record(auth, client, change, kinds) };
  }

  /** A new set of recovery codes replacing the old one; only for an account with a second factor. */
  async regenerateRecoveryCodes(
    auth: Authenticated,
    client: AuditClient,
  ): Promise<{ ok: true; recoveryCodes: string[] } | TotpFailure> {
    const recoveryCodes = generateRecoveryCodes(this.#random);
    const digests = recoveryCodes.map((c) => this.#digester.digest(auth.user.id, c)!);
    if (!(await this.#codes.replace(auth.user.id, digests, this.#clock.now()))) {
      return { ok: false, code: 'invalid_request', message: 'Set up an authenticator app or a passkey first.' };
    }
    const change = { audit: 'recovery_codes.regenerated', notice: 'recovery_codes_regenerated' } as const;
    await this.#changes.record(auth, client, change, null);
    return { ok: true, recoveryCodes };
  }

  recoveryCodeStatus(userId: string): Promise<RecoveryCodeStatus> {
    return this.#codes.status(userId);
  }

  /** Whether the account has an active authenticator app. */
  async isEnabled(userId: string): Promise<boolean> {
    return (await this.#totp.find(userId))?.sealedSecret != null;
  }

  /** Checks a code from the account's app; an accepted code's step is recorded first, so it is never accepted again. */
  async check(userId: string, code: string): Promise<FactorCheck> {
    const now = this.#clock.now();
    const sealed = (await this.#totp.find(userId))?.sealedSecret;
    const secret = sealed ? this.#box.open(sealed, sealContext(userId)) : null;
    if (!secret) return 'refused';
    const checked = verifyTotp(secret, code, now);
    if (!checked.ok) return 'refused';
    // The step is recorded atomically: of two requests with one code, or a code older than the last accepted, one at
    // most passes (RFC 6238 §5.2).
    return (await this.#totp.acceptStep(userId, checked.step)) ? 'accepted' : 'refused';
  }

  /** Spends one recovery code of the account. */
  async useRecoveryCode(userId: string, code: string): Promise<FactorCheck> {
    const digest = this.#digester.digest(userId, code);
    if (!digest) return 'refused';
    return (await this.#codes.consume(userId, digest, this.#clock.now())) ? 'accepted' : 'refused';
  }
}
