import type { AccountMailer } from './account-mailer.js';
import { type AuditClient, type AuditTrail, silentAuditTrail } from './audit.js';
import type { Clock } from './clock.js';
import { digestOfPresented, type EmailTokenPurpose, type EmailTokenStore, issueEmailToken } from './email-tokens.js';
import { type ActionLimiter, unlimited } from './login-throttle.js';
import { type AccountNotifier, silentNotifier } from './notices.js';
import { checkPassword, type PasswordHasher, type PasswordPolicy } from './passwords.js';
import type { SessionService } from './session-service.js';
import { cryptoRandom, hashToken, type RandomSource } from './tokens.js';
import type { User, UserRepository } from './user.js';
import { normaliseEmail } from './user-service.js';

export interface PasswordResetOptions {
  users: UserRepository;
  tokens: EmailTokenStore;
  mailer: AccountMailer;
  /** Ends the stored sessions of an account whose session version a reset bumped (announced to open pages). */
  sessions: Pick<SessionService, 'dropStored'>;
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  clock: Clock;
  /** PASSWORD_RESET_TTL and INVITATION_TTL. */
  resetTtlMs: number;
  invitationTtlMs: number;
  random?: RandomSource;
  audit?: AuditTrail;
  /** `password_reset` per client address, `password_reset_email` per address asked about. */
  limits?: ActionLimiter;
  notifier?: AccountNotifier;
  /** Where a failure of the work done after answering is reported (the server log). */
  onError?: (error: unknown) => void;
}

type Refusal<Code extends string> = { ok: false; code: Code; message?: string; retryAfterMs?: number };
export type ResetResult = { ok: true; user: User } | Refusal<'invalid_token' | 'weak_password' | 'account_disabled'>;

const RESET_PURPOSES: readonly EmailTokenPurpose[] = ['reset_password', 'invitation'];

/**
 * Forgotten passwords and invitations: both end in a link to the set-password page. Asking for a link answers the
 * same, at once, whether the address has an account or not: everything that depends on it (looking the account up,
 * the per-address limit, the token, the message) happens after the answer, so neither body, headers nor time
 * tell. Setting the password revokes every session and token family; it never signs anyone in, so an enrolled
 * second factor is still asked at the next sign-in.
 */
export class PasswordResetService {
  readonly #users: UserRepository;
  readonly #tokens: EmailTokenStore;
  readonly #mailer: AccountMailer;
  readonly #sessions: Pick<SessionService, 'dropStored'>;
  readonly #hasher: PasswordHasher;
  readonly #policy: PasswordPolicy;
  readonly #clock: Clock;
  readonly #resetTtlMs: number;
  readonly #invitationTtlMs: number;
  readonly #random: RandomSource;
  readonly #audit: AuditTrail;
  readonly #limits: ActionLimiter;
  readonly #notifier: AccountNotifier;
  readonly #onError: (error: unknown) => void;
  readonly #pending = new Set<Promise<void>>();

  constructor(options: PasswordResetOptions) {
    this.#users = options.users;
    this.#tokens = options.tokens;
    this.#mailer = options.mailer;
    this.#sessions = options.sessions;
    this.#hasher = options.hasher;
    this.#policy = options.policy;
    this.#clock = options.clock;
    this.#resetTtlMs = options.resetTtlMs;
    this.#invitationTtlMs = options.invitationTtlMs;
    this.#random = options.random ?? cryptoRandom;
    this.#audit = options.audit ?? silentAuditTrail(options.clock);
    this.#limits = options.limits ?? unlimited;
    this.#notifier = options.notifier ?? silentNotifier;
    this.#onError = options.onError ?? (() => {});
  }

  /**
   * POST /api/auth/password/forgot: only the shape of the address and the per-client budget are decided before the
   * answer; neither depends on whether an account exists.
   */
  async requestReset(
    rawEmail: string,
    client: AuditClient,
  ): Promise<{ ok: true } | Refusal<'rate_limited' | 'invalid_request'>> {
    const email = normaliseEmail(rawEmail);
    if (!email) return { ok: false, code: 'invalid_request', message: 'The email address is not valid.' };
    const verdict = await this.#limits.consume('password_reset', client.ip);
    if (!verdict.allowed) {
      if (verdict.firstRefusal) {
        await this.#audit.record('rate.limited', client, {
          details: { scope: verdict.scope, retryAfterSeconds: Math.ceil(verdict.retryAfterMs / 1000) },
        });
      }
      return { ok: false, code: 'rate_limited', retryAfterMs: verdict.retryAfterMs };
    }
    const work = afterTheAnswer()
      .then(() => this.#sendReset(email, client))
      .catch((error: unknown) => this.#onError(error));
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
    return { ok: true };
  }

  /** Waits for the work started after earlier answers (shutdown, and tests that read the mail it queues). */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** POST /api/auth/password/reset: checks the policy first, so a refused password leaves the link usable. */
  async reset(secret: string, password: string, client: AuditClient): Promise<ResetResult> {
    const tokenHash = digestOfPresented(secret);
    const token = tokenHash ? await this.#tokens.find(tokenHash) : null;
    if (!token || !RESET_PURPOSES.includes(token.purpose) || token.expiresAt <= this.#clock.now()) {
      return { ok: false, code: 'invalid_token' };
    }
    const user = await this.#users.findById(token.userId);
    if (!user) return { ok: false, code: 'invalid_token' };
    if (user.disabled) return { ok: false, code: 'account_disabled' };
    const check = checkPassword(password, this.#policy, { email: user.email });
    if (!check.ok) return { ok: false, code: 'weak_password', message: check.message };
    const redeemed = await this.#users.redeemEmailToken(user.id, {
      tokenHash: token.tokenHash,
      purposes: [token.purpose],
      now: this.#clock.now(),
      // The link reached the account's address: that address is now verified as well.
      effect: { passwordHash: await this.#hasher.hash(password), verifyEmail: true },
    });
    if (!redeemed.ok) return { ok: false, code: 'invalid_token' };
    // The version bump above already refuses every session and token family; this frees their records.
    const ended = await this.#sessions.dropStored(user.id);
    await this.#audit.record('password.reset', client, {
      userId: user.id,
      details: { via: token.purpose, sessionsEnded: ended },
    });
    if (token.purpose === 'reset_password') await this.#notifier.notify({ kind: 'password_reset', userId: user.id });
    return { ok: true, user: redeemed.user };
  }

  /** Sends an invited account its set-password link (INVITATION_TTL). */
  async sendInvitation(user: User): Promise<void> {
    const issued = this.#issue(user, 'invitation', this.#invitationTtlMs);
    await this.#tokens.insert(issued.token);
    await this.#mailer.sendLink(issued.token, issued.secret, user.name);
  }

  /** `heimdall user reset-link`: a reset link for operators without a mail server; null for an unknown email. */
  async createResetLink(rawEmail: string): Promise<{ user: User; url: string; expiresAt: number } | null> {
    const email = normaliseEmail(rawEmail);
    const user = email ? await this.#users.findByEmail(email) : null;
    if (!user) return null;
    const issued = this.#issue(user, 'reset_password', this.#resetTtlMs);
    await this.#tokens.insert(issued.token);
    await this.#audit.record('password.reset_requested', null, { userId: user.id, details: { by: 'cli' } });
    return { user, url: this.#mailer.linkFor('reset_password', issued.secret), expiresAt: issued.token.expiresAt };
  }

  async #sendReset(email: string, client: AuditClient): Promise<void> {
    // Counted for every address, known or not; keyed by a digest so that no address sits in the limiter's store.
    const verdict = await this.#limits.consume('password_reset_email', hashToken(email));
    const user = await this.#users.findByEmail(email);
    if (!verdict.allowed) {
      if (verdict.firstRefusal && user) {
        await this.#audit.record('rate.limited', client, { userId: user.id, details: { scope: verdict.scope } });
      }
      return;
    }
    if (!user || user.disabled) return;
    const issued = this.#issue(user, 'reset_password', this.#resetTtlMs);
    await this.#tokens.insert(issued.token);
    await this.#mailer.sendLink(issued.token, issued.secret, user.name);
    await this.#audit.record('password.reset_requested', client, { userId: user.id });
  }

  #issue(user: User, purpose: 'reset_password' | 'invitation', ttlMs: number) {
    return issueEmailToken({ purpose, userId: user.id, email: user.email, ttlMs }, this.#clock, this.#random);
  }
}

/**
 * Resolves on a later turn of the event loop, once the answer in hand has been written: work started now would
 * otherwise run its first (synchronous SQLite) steps before the answer goes out, and its cost would show in the
 * answer's timing.
 */
function afterTheAnswer(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
