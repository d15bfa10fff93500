import type { AuditTrail } from './audit.js';
import type { PendingSignInStore } from './ceremonies.js';
import type { Clock } from './clock.js';
import type { LoginThrottle, ThrottleVerdict } from './login-throttle.js';
import { type CeremonyKey, ceremonyKey, type PasskeyService } from './passkey-service.js';
import type { AuthMethod, ClientInfo } from './session.js';
import type { CompletedSignIn, SignInCompletion } from './sign-in-completion.js';
import { cryptoRandom, generateSecret, hashToken, looksLikeSecret, type RandomSource } from './tokens.js';
import type { TotpService } from './totp-service.js';
import type { User, UserRepository } from './user.js';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from './webauthn.js';

/** API.md: the `__Host-heimdall-2fa` cookie lives at most 5 minutes. */
export const PENDING_SIGN_IN_TTL_MS = 5 * 60_000;
/** Wrong codes one pending sign-in takes before the first factor must be proven again. */
export const MAX_SECOND_FACTOR_FAILURES = 5;

/** A second factor as presented: a code from the authenticator app, a recovery code, or a passkey assertion. */
export type SecondFactorProof = { totp: string } | { recoveryCode: string } | { passkey: AuthenticationResponseJSON };

/** What a caller may present a second factor with, besides a passkey: recovery codes only exist beside a factor. */
export type SecondFactorMethod = 'totp' | 'passkey' | 'recovery_code';

/** A sign-in held for its second factor: the 2fa cookie's secret, and the ways the account can finish it. */
export interface HeldSignIn {
  secret: string;
  expiresAt: number;
  methods: SecondFactorMethod[];
}

export type FactorFailure =
  | { ok: false; code: 'invalid_credentials' | 'invalid_request' | 'unauthenticated'; message: string }
  | { ok: false; code: 'rate_limited'; retryAfterMs: number };

export type SignedIn = CompletedSignIn & { returnTo: string | null };

/** Where a factor is checked, for the audit log. */
export type FactorContext = 'sign_in' | 'api_tokens' | 'reauthentication';

export interface SecondFactorServiceOptions {
  totp: TotpService;
  passkeys: PasskeyService;
  pending: PendingSignInStore;
  users: UserRepository;
  completion: SignInCompletion;
  throttle: LoginThrottle;
  audit: AuditTrail;
  clock: Clock;
  random?: RandomSource;
}

const codeMessage = 'The code is not right.';

/**
 * The second factor guards every way in (DESIGN, "Accounts, factors and step-up"): a password or third-party
 * sign-on of an account with a factor is held until the factor is presented; token grants and re-authentication
 * check it through `verify`. Wrong codes count toward the login limits under a key of their own per account, which
 * the right password never clears: knowing the password buys no extra guesses at the code.
 */
export class SecondFactorService {
  readonly #totp: TotpService;
  readonly #passkeys: PasskeyService;
  readonly #pending: PendingSignInStore;
  readonly #users: UserRepository;
  readonly #completion: SignInCompletion;
  readonly #throttle: LoginThrottle;
  readonly #audit: AuditTrail;
  readonly #clock: Clock;
  readonly #random: RandomSource;

  constructor(options: SecondFactorServiceOptions) {
    this.#totp = options.totp;
    this.#passkeys = options.passkeys;
    this.#pending = options.pending;
    this.#users = options.users;
    this.#completion = options.completion;
    this.#throttle = options.throttle;
    this.#audit = options.audit;
    this.#clock = options.clock;
    this.#random = options.random ?? cryptoRandom;
  }

  /** How the account can present a second factor, read from the factor tables (the source of truth); [] for none. */
  async methodsOf(userId: string): Promise<SecondFactorMethod[]> {
    const [totp, passkeys, codes] = await Promise.all([
      this.#totp.isEnabled(userId),
      this.#passkeys.list(userId),
      this.#totp.recoveryCodeStatus(userId),
    ]);
    if (!totp && passkeys.length === 0) return [];
    const methods: SecondFactorMethod[] = totp ? ['totp'] : [];
    if (passkeys.length > 0) methods.push('passkey');
    if (codes.remaining > 0) methods.push('recovery_code');
    return methods;
  }

  /**
   * Holds a sign-in whose first factor (`proven`) is done, when the account has a second factor: nothing is signed
   * in, and the returned secret (the 2fa cookie) names the wait. Null: no second factor, sign in at once.
   */
  async hold(
    user: User,
    proven: readonly AuthMethod[],
    client: ClientInfo,
    options: { rememberMe?: boolean; provider?: string | null; returnTo?: string | null } = {},
  ): Promise<HeldSignIn | null> {
    const methods = await this.methodsOf(user.id);
    if (methods.length === 0) return null;
    const now = this.#clock.now();
    const secret = generateSecret(this.#random);
    await this.#pending.insert(
      {
        keyHash: hashToken(secret),
        userId: user.id,
        methods: proven,
        provider: options.provider ?? null,
        rememberMe: options.rememberMe === true,
        returnTo: options.returnTo ?? null,
        failures: 0,
        createdAt: now,
        expiresAt: now + PENDING_SIGN_IN_TTL_MS,
      },
      now,
    );
    await this.#audit.record('auth.second_factor_asked', client, { userId: user.id, details: { method: proven[0] } });
    return { secret, expiresAt: now + PENDING_SIGN_IN_TTL_MS, methods };
  }

  /** Passkey request options for the second step of a held sign-in (the account's own passkeys only). */
  async secondStepOptions(secret: string | undefined): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
    const pending = await this.#livePending(secret);
    return pending
      ? this.#passkeys.assertionOptions(ceremonyKey('second-factor', pending.keyHash), pending.userId)
      : null;
  }

  /** Finishes a held sign-in with its second factor; the hold is used once, and dropped after too many wrong codes. */
  async complete(
    secret: string | undefined,
    proof: SecondFactorProof,
    client: ClientInfo,
    presentedSessionSecret?: string,
  ): Promise<SignedIn | FactorFailure> {
    const pending = await this.#livePending(secret);
    const user = pending ? await this.#users.findById(pending.userId) : null;
    if (!pending || !user || user.disabled) return expired();
    const key = ceremonyKey('second-factor', pending.keyHash);
    const checked = await this.verify(user, proof, client, 'sign_in', key);
    if (!checked.ok) {
      if (checked.code !== 'rate_limited' && checked.code !== 'invalid_request') {
        const kept = await this.#pending.recordFailure(pending.keyHash, MAX_SECOND_FACTOR_FAILURES);
        if (kept === 'dropped')
          return { ok: false, code: 'unauthenticated', message: 'Too many wrong codes; sign in again.' };
      }
      return checked;
    }
    // Taking the hold is what makes it single use: of two requests racing with one cookie, one signs in.
    if (!(await this.#pending.take(pending.keyHash))) return expired();
    const methods = [...pending.methods, checked.method];
    const signedIn = await this.#completion.finish(user, methods, client, pending, presentedSessionSecret);
    if (!signedIn.ok) return signedIn;
    return { ...signedIn, returnTo: pending.returnTo };
  }

  /**
   * Checks a second factor of `user`. Codes count toward the login limits (their own per-account key, and the
   * address's); a failure is audited with where it happened. A passkey needs the ceremony its challenge belongs to.
   */
  async verify(
    user: User,
    proof: SecondFactorProof,
    client: ClientInfo,
    context: FactorContext,
    ceremony: CeremonyKey | null,
  ): Promise<{ ok: true; method: 'totp' | 'recovery_code' | 'passkey' } | FactorFailure> {
    if ('passkey' in proof) {
      const asserted = ceremony
        ? await this.#passkeys.assert(ceremony, proof.passkey, user.id)
        : ({ ok: false, code: 'invalid_request', reason: 'no passkey request' } as const);
      if (asserted.ok) return { ok: true, method: 'passkey' };
      await this.#failed(user, client, context, 'passkey', asserted.reason);
      const code = asserted.code === 'invalid_request' ? 'invalid_request' : 'invalid_credentials';
      return { ok: false, code, message: 'The passkey was not accepted.' };
    }
    const method = 'totp' in proof ? 'totp' : 'recovery_code';
    const attempt = { email: `2FA:${user.id}`, ip: client.ip };
    const verdict = await this.#throttle.attempt(attempt);
    if (!verdict.allowed) return this.#limited(verdict, user, client);
    const accepted =
      'totp' in proof
        ? await this.#totp.check(user.id, proof.totp)
        : await this.#totp.useRecoveryCode(user.id, proof.recoveryCode);
    if (accepted === 'refused') {
      await this.#failed(user, client, context, method, 'wrong, replayed or spent code');
      return { ok: false, code: 'invalid_credentials', message: codeMessage };
    }
    await this.#throttle.succeeded(attempt);
    if (method === 'recovery_code') {
      const { remaining } = await this.#totp.recoveryCodeStatus(user.id);
      await this.#audit.record('recovery_code.used', client, { userId: user.id, details: { context, remaining } });
    }
    return { ok: true, method };
  }

  async #livePending(secret: string | undefined) {
    if (!secret || !looksLikeSecret(secret)) return null;
    const pending = await this.#pending.find(hashToken(secret));
    return pending && pending.expiresAt > this.#clock.now() ? pending : null;
  }

  async #failed(user: User, client: ClientInfo, context: FactorContext, method: string, reason: string) {
    await this.#audit.record('auth.login_failed', client, {
      userId: user.id,
      details: { stage: 'second_factor', during: context, method, reason },
    });
  }

  async #limited(verdict: Extract<ThrottleVerdict, { allowed: false }>, user: User, client: ClientInfo) {
    // One audit entry per blocking period, as for passwords.
    if (verdict.firstRefusal) {
      await this.#audit.record('rate.limited', client, {
        userId: user.id,
        details: { scope: verdict.scope, factor: 'second', retryAfterSeconds: Math.ceil(verdict.retryAfterMs / 1000) },
      });
    }
    return { ok: false as const, code: 'rate_limited' as const, retryAfterMs: verdict.retryAfterMs };
  }
}

function expired(): FactorFailure {
  return { ok: false, code: 'unauthenticated', message: 'This sign-in expired or was already used; sign in again.' };
}
