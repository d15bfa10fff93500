import type { AuditTrail } from './audit.js';
import { type ActionLimiter, unlimited } from './login-throttle.js';
import { ceremonyKey, type PasskeyService } from './passkey-service.js';
import type { FactorFailure } from './second-factor-service.js';
import type { ClientInfo } from './session.js';
import type { CompletedSignIn, EndedByAnomaly, SignInCompletion } from './sign-in-completion.js';
import { cryptoRandom, generateSecret, looksLikeSecret, type RandomSource } from './tokens.js';
import type { UserRepository } from './user.js';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from './webauthn.js';

export interface PasskeySignInOptions {
  passkeys: PasskeyService;
  users: UserRepository;
  audit: AuditTrail;
  completion: SignInCompletion;
  /** Per-address budget of sign-in starts (`sign_on`, shared with third-party sign-on): each one writes a challenge. */
  limits?: ActionLimiter;
  random?: RandomSource;
}

/**
 * Sign-in with a passkey alone (discoverable credentials: no email asked). With user verification a passkey is both
 * factors at once, so the session's methods are `["passkey"]` and no second step follows. The challenge is bound to
 * the browser by a secret only its short-lived cookie holds.
 */
export class PasskeySignIn {
  readonly #passkeys: PasskeyService;
  readonly #users: UserRepository;
  readonly #audit: AuditTrail;
  readonly #completion: SignInCompletion;
  readonly #limits: ActionLimiter;
  readonly #random: RandomSource;

  constructor(options: PasskeySignInOptions) {
    this.#passkeys = options.passkeys;
    this.#users = options.users;
    this.#audit = options.audit;
    this.#completion = options.completion;
    this.#limits = options.limits ?? unlimited;
    this.#random = options.random ?? cryptoRandom;
  }

  /** Request options naming no account, and the secret (for the cookie) that the challenge is kept under. */
  async options(
    client: ClientInfo,
  ): Promise<
    | { ok: true; options: PublicKeyCredentialRequestOptionsJSON; secret: string }
    | { ok: false; code: 'rate_limited'; retryAfterMs: number }
  > {
    const budget = await this.#limits.consume('sign_on', client.ip);
    if (!budget.allowed) {
      if (budget.firstRefusal) {
        await this.#audit.record('rate.limited', client, {
          details: { scope: budget.scope, retryAfterSeconds: Math.ceil(budget.retryAfterMs / 1000) },
        });
      }
      return { ok: false, code: 'rate_limited', retryAfterMs: budget.retryAfterMs };
    }
    const secret = generateSecret(this.#random);
    return { ok: true, options: await this.#passkeys.assertionOptions(ceremonyKey('sign-in', secret), null), secret };
  }

  async signIn(
    secret: string | undefined,
    response: AuthenticationResponseJSON,
    client: ClientInfo,
    presentedSessionSecret?: string,
  ): Promise<CompletedSignIn | EndedByAnomaly | FactorFailure> {
    if (!secret || !looksLikeSecret(secret)) {
      return { ok: false, code: 'invalid_request', message: 'No passkey sign-in was started in this browser.' };
    }
    const asserted = await this.#passkeys.assert(ceremonyKey('sign-in', secret), response, null);
    const user = asserted.ok ? await this.#users.findById(asserted.passkey.userId) : null;
    if (!asserted.ok || !user || user.disabled) {
      const reason = asserted.ok ? 'the account is disabled' : asserted.reason;
      await this.#audit.record('auth.login_failed', client, {
        userId: user?.id ?? null,
        details: { method: 'passkey', reason },
      });
      const code = !asserted.ok && asserted.code === 'invalid_request' ? 'invalid_request' : 'invalid_credentials';
      return { ok: false, code, message: 'The passkey was not accepted.' };
    }
    return this.#completion.finish(user, ['passkey'], client, {}, presentedSessionSecret);
  }
}
