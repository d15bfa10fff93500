import type { AccountMailer } from './account-mailer.js';
import { type AuditClient, type AuditTrail, silentAuditTrail } from './audit.js';
import type { Clock } from './clock.js';
import { digestOfPresented, type EmailTokenPurpose, type EmailTokenStore, issueEmailToken } from './email-tokens.js';
import { type ActionLimiter, unlimited } from './login-throttle.js';
import { type AccountNotifier, silentNotifier } from './notices.js';
import type { Authenticated } from './session-service.js';
import { cryptoRandom, type RandomSource } from './tokens.js';
import type { User, UserRepository } from './user.js';
import { normaliseEmail } from './user-service.js';

export interface EmailVerificationOptions {
  users: UserRepository;
  tokens: EmailTokenStore;
  mailer: AccountMailer;
  clock: Clock;
  /** EMAIL_TOKEN_TTL: life of verification and change-of-email links. */
  ttlMs: number;
  random?: RandomSource;
  audit?: AuditTrail;
  /** The per-account `account_mail` budget (resends, changes of email). */
  limits?: ActionLimiter;
  notifier?: AccountNotifier;
  /** Where a verification that could not be queued at sign-up is reported; sign-up goes on regardless. */
  onError?: (error: unknown) => void;
}

type Refusal<Code extends string> = { ok: false; code: Code; message?: string; retryAfterMs?: number };
export type VerifyResult = { ok: true; user: User } | Refusal<'invalid_token' | 'email_taken'>;
export type ChangeRequestResult = { ok: true } | Refusal<'invalid_request' | 'email_taken' | 'rate_limited'>;

const VERIFY_PURPOSES: readonly EmailTokenPurpose[] = ['verify_email', 'change_email'];

/**
 * Proof that an account's owner reads mail at its address: a link sent at sign-up (and on request) verifies the
 * address; a change of email takes effect only through a link sent to the new address, and the old one is told.
 */
export class EmailVerificationService {
  readonly #users: UserRepository;
  readonly #tokens: EmailTokenStore;
  readonly #mailer: AccountMailer;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #random: RandomSource;
  readonly #audit: AuditTrail;
  readonly #limits: ActionLimiter;
  readonly #notifier: AccountNotifier;
  readonly #onError: (error: unknown) => void;

  constructor(options: EmailVerificationOptions) {
    this.#users = options.users;
    this.#tokens = options.tokens;
    this.#mailer = options.mailer;
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs;
    this.#random = options.random ?? cryptoRandom;
    this.#audit = options.audit ?? silentAuditTrail(options.clock);
    this.#limits = options.limits ?? unlimited;
    this.#notifier = options.notifier ?? silentNotifier;
    this.#onError = options.onError ?? (() => {});
  }

  /** Queues the verification link for a new account; never fails the sign-up that asks for it. */
  async sendVerification(user: User): Promise<void> {
    try {
      await this.#queueLink(user, 'verify_email', user.email);
    } catch (error) {
      this.#onError(error);
    }
  }

  /** POST /api/auth/email/verify/resend: a new link (older ones stop working), within the account's mail budget. */
  async resend(auth: Authenticated): Promise<{ ok: true } | Refusal<'rate_limited'>> {
    if (auth.user.emailVerified) return { ok: true };
    const budget = await this.#limits.consume('account_mail', auth.user.id);
    if (!budget.allowed) return { ok: false, code: 'rate_limited', retryAfterMs: budget.retryAfterMs };
    await this.#queueLink(auth.user, 'verify_email', auth.user.email);
    return { ok: true };
  }

  /** POST /api/account/email: a link to the new address; nothing changes until it is followed. */
  async requestChange(auth: Authenticated, rawEmail: string, client: AuditClient): Promise<ChangeRequestResult> {
    const email = normaliseEmail(rawEmail);
    if (!email) return { ok: false, code: 'invalid_request', message: 'The email address is not valid.' };
    if (email === auth.user.email) {
      return { ok: false, code: 'invalid_request', message: 'That is already the address of this account.' };
    }
    if (await this.#users.findByEmail(email)) return { ok: false, code: 'email_taken' };
    const budget = await this.#limits.consume('account_mail', auth.user.id);
    if (!budget.allowed) return { ok: false, code: 'rate_limited', retryAfterMs: budget.retryAfterMs };
    await this.#queueLink(auth.user, 'change_email', email);
    await this.#audit.record('email.change_requested', client, { userId: auth.user.id, sessionId: auth.session.id });
    return { ok: true };
  }

  /**
   * POST /api/auth/email/verify: follows a verification or change-of-email link. The token is spent and the account
   * changed in one transaction; a link for an address the account no longer has changes nothing.
   */
  async verify(secret: string, client: AuditClient): Promise<VerifyResult> {
    const tokenHash = digestOfPresented(secret);
    const token = tokenHash ? await this.#tokens.find(tokenHash) : null;
    if (!token || !VERIFY_PURPOSES.includes(token.purpose) || token.expiresAt <= this.#clock.now()) {
      return { ok: false, code: 'invalid_token' };
    }
    const before = await this.#users.findById(token.userId);
    const change = token.purpose === 'change_email';
    const redeemed = await this.#users.redeemEmailToken(token.userId, {
      tokenHash: token.tokenHash,
      purposes: [token.purpose],
      now: this.#clock.now(),
      effect: change ? { takeEmail: true, verifyEmail: true } : { verifyEmail: true },
    });
    if (!redeemed.ok) return redeemed;
    const { user } = redeemed;
    await this.#audit.record(change ? 'email.changed' : 'email.verified', client, { userId: user.id });
    if (change && before && before.email !== user.email) {
      await this.#notifier.notify({
        kind: 'email_changed',
        userId: user.id,
        details: { previousEmail: before.email, newEmail: user.email },
      });
    }
    return { ok: true, user };
  }

  /** Removes every kind of email link past its expiry (run with the other periodic pruning). */
  pruneExpiredTokens(): Promise<number> {
    return this.#tokens.pruneExpired(this.#clock.now());
  }

  async #queueLink(user: User, purpose: 'verify_email' | 'change_email', email: string): Promise<void> {
    // One live link of each kind: a new one replaces the one sent before.
    await this.#tokens.deleteForUser(user.id, [purpose]);
    const issued = issueEmailToken({ purpose, userId: user.id, email, ttlMs: this.#ttlMs }, this.#clock, this.#random);
    await this.#tokens.insert(issued.token);
    await this.#mailer.sendLink(issued.token, issued.secret, user.name);
  }
}
