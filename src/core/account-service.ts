import { type AnomalyDetector, revokedEverySession, type SecurityWarning } from './anomaly.js';
import { type AuditTrail, silentAuditTrail } from './audit.js';
import { systemClock } from './clock.js';
import type { EmailVerificationService } from './email-verification-service.js';
import { HeimdallError } from './errors.js';
import type { ActionLimiter, LoginAttempt, LoginThrottle, ThrottleVerdict } from './login-throttle.js';
import { unlimited } from './login-throttle.js';
import { type AccountNotifier, silentNotifier } from './notices.js';
import type { HeldSignIn, SecondFactorService } from './second-factor-service.js';
import type { Authenticated, ClientInfo, IssuedSession, SessionService } from './session-service.js';
import type { User } from './user.js';
import { normaliseEmail, type RegisterInput, type UserService } from './user-service.js';

export interface LoginInput {
  email: string;
  password: string;
  rememberMe?: boolean;
}

export type AccountResult<Code extends string> =
  | ({ ok: true; user: User; warnings: SecurityWarning[] } & IssuedSession)
  | { ok: false; code: Code; message?: string; retryAfterMs?: number };

/** The password was right, and the account has a second factor: nothing is signed in until it is presented. */
export type SecondFactorHeld = { ok: false; code: 'second_factor_required'; held: HeldSignIn };

export type CredentialCheck =
  | { ok: true; user: User }
  | { ok: false; code: 'invalid_credentials' | 'account_disabled' }
  | { ok: false; code: 'rate_limited'; retryAfterMs: number };

export interface AccountServiceOptions {
  users: UserService;
  sessions: SessionService;
  allowRegistration: boolean;
  /** Brute-force limits on password checks (sign-in and password change). */
  throttle?: LoginThrottle;
  /** Per-IP budgets for registration. */
  limits?: ActionLimiter;
  audit?: AuditTrail;
  anomalies?: AnomalyDetector;
  /** Sends a new account its verification link. */
  verification?: Pick<EmailVerificationService, 'sendVerification'>;
  /** Tells the owner when the password changes. */
  notifier?: AccountNotifier;
  /** Holds the password sign-in of an account with a second factor (issue 17); absent: passwords sign in alone. */
  secondFactors?: Pick<SecondFactorService, 'hold'>;
}

/**
 * The flows that touch both accounts and sessions. Each one that signs someone in issues a brand-new session and
 * first deletes the one whose cookie came with the request, so a planted cookie never becomes a signed-in session.
 * Every outcome that matters for security is written to the audit trail.
 */
export class AccountService {
  readonly #users: UserService;
  readonly #sessions: SessionService;
  readonly #allowRegistration: boolean;
  readonly #throttle: LoginThrottle;
  readonly #limits: ActionLimiter;
  readonly #audit: AuditTrail;
  readonly #anomalies: AnomalyDetector | undefined;
  readonly #verification: Pick<EmailVerificationService, 'sendVerification'> | undefined;
  readonly #notifier: AccountNotifier;
  readonly #secondFactors: Pick<SecondFactorService, 'hold'> | undefined;

  constructor(options: AccountServiceOptions) {
    this.#users = options.users;
    this.#sessions = options.sessions;
    this.#allowRegistration = options.allowRegistration;
    this.#throttle = options.throttle ?? unlimited;
    this.#limits = options.limits ?? unlimited;
    this.#audit = options.audit ?? silentAuditTrail(systemClock);
    this.#anomalies = options.anomalies;
    this.#verification = options.verification;
    this.#notifier = options.notifier ?? silentNotifier;
    this.#secondFactors = options.secondFactors;
  }

  async register(
    input: RegisterInput,
    client: ClientInfo,
    presentedSecret?: string,
  ): Promise<AccountResult<'forbidden' | 'invalid_request' | 'weak_password' | 'email_taken' | 'rate_limited'>> {
    if (!this.#allowRegistration) return { ok: false, code: 'forbidden', message: 'Registration is closed.' };
    const budget = await this.#limits.consume('register', client.ip);
    if (!budget.allowed) return this.#refuse(budget, client, null);
    const registered = await this.#users.register(input);
    if (!registered.ok) return registered;
    const signedIn = await this.#signIn(registered.user, client, false, presentedSecret, true);
    await this.#audit.record('auth.register', client, { userId: registered.user.id, sessionId: signedIn.session.id });
    await this.#verification?.sendVerification(registered.user);
    return signedIn;
  }

  async login(
    input: LoginInput,
    client: ClientInfo,
    presentedSecret?: string,
  ): Promise<
    AccountResult<'invalid_credentials' | 'account_disabled' | 'rate_limited' | 'unauthenticated'> | SecondFactorHeld
  > {
    const checked = await this.checkCredentials(input.email, input.password, client);
    if (!checked.ok) return checked;
    // The second factor guards the password way in: the account's session waits for it (issue 17).
    const rememberMe = input.rememberMe === true;
    const held = await this.#secondFactors?.hold(checked.user, ['password'], client, { rememberMe });
    if (held) return { ok: false, code: 'second_factor_required', held };
    const signedIn = await this.#signIn(checked.user, client, input.rememberMe === true, presentedSecret);
    await this.#audit.record('auth.login', client, { userId: checked.user.id, sessionId: signedIn.session.id });
    // ANOMALY_ACTION=revoke ended every session, this new one included: there is no session to hand out.
    if (revokedEverySession(signedIn.warnings)) {
      return { ok: false, code: 'unauthenticated', message: signedIn.warnings[0]!.message };
    }
    return signedIn;
  }

  /** Runs a password check; one the server sheds (503, hashing queue full) gives its counted attempt back. */
  async #judged<T>(attempt: LoginAttempt, check: () => Promise<T>): Promise<T> {
    try {
      return await check();
    } catch (error) {
      if (error instanceof HeimdallError && error.code === 'service_unavailable')
        await this.#throttle.abandoned(attempt);
      throw error;
    }
  }

  /**
   * The sign-in check, shared by every route that takes an account's password (login, the API token grant):
   * throttled, a failure audited, and the same work and answer for an unknown email as for a wrong password.
   */
  async checkCredentials(email: string, password: string, client: ClientInfo): Promise<CredentialCheck> {
    const attempt = { email: throttleKey(email), ip: client.ip };
    const verdict = await this.#throttle.attempt(attempt);
    if (!verdict.allowed) return this.#refuse(verdict, client, email);
    const user = await this.#judged(attempt, () => this.#users.authenticate(email, password));
    if (!user) {
      // The targeted account, when there is one, so its owner sees the failure in their own audit view.
      const target = await this.#users.findByEmail(email);
      await this.#audit.record('auth.login_failed', client, { userId: target?.id ?? null });
      return { ok: false, code: 'invalid_credentials' };
    }
    if (user.disabled) {
      // Told only to someone who knows the password: the same argon2 work was spent, and the attempt stays counted.
      await this.#audit.record('auth.login_failed', client, {
        userId: user.id,
        details: { reason: 'account_disabled' },
      });
      return { ok: false, code: 'account_disabled' };
    }
    await this.#throttle.succeeded(attempt);
    return { ok: true, user };
  }

  /**
   * Password change: the new hash and the session-version bump land in one write, then every stored session of the
   * user is deleted and the caller gets a fresh one. The current password is a guessable secret too, so checking it
   * counts against the same limits as sign-in.
   */
  async changePassword(
    auth: Authenticated,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<AccountResult<'invalid_credentials' | 'weak_password' | 'rate_limited'>> {
    const attempt = { email: auth.user.email, ip: client.ip };
    const verdict = await this.#throttle.attempt(attempt);
    if (!verdict.allowed) return this.#refuse(verdict, client, auth.user.email, auth.session.id);
    const changed = await this.#judged(attempt, () =>
      this.#users.changePassword(auth.user, currentPassword, newPassword),
    );
    if (!changed.ok) {
      if (changed.code === 'invalid_credentials') {
        await this.#audit.record('auth.login_failed', client, {
          userId: auth.user.id,
          sessionId: auth.session.id,
          details: { during: 'password_change' },
        });
      }
      return changed;
    }
    await this.#throttle.succeeded(attempt);
    const ended = await this.#sessions.dropStored(changed.user.id, auth.session.id);
    const issued = await this.#sessions.rotate(auth.session, changed.user, client, ['password']);
    await this.#audit.record('password.changed', client, {
      userId: changed.user.id,
      sessionId: issued.session.id,
      details: { sessionsEnded: ended },
    });
    await this.#notifier.notify({ kind: 'password_changed', userId: changed.user.id });
    return { ok: true, user: changed.user, warnings: [], ...issued };
  }

  async #signIn(user: User, client: ClientInfo, rememberMe: boolean, presentedSecret?: string, first = false) {
    if (presentedSecret) await this.#sessions.revokeBySecret(presentedSecret);
    const issued = await this.#sessions.create(user, client, { methods: ['password'], rememberMe });
    const warnings = (await this.#anomalies?.afterSignIn(issued.session, client, first)) ?? [];
    return { ok: true as const, user, warnings, ...issued };
  }

  async #refuse(
    verdict: Extract<ThrottleVerdict, { allowed: false }>,
    client: ClientInfo,
    email: string | null,
    sessionId?: string,
  ) {
    // One audit entry per blocking period, not one per refused request: a flood must not flood the log.
    if (verdict.firstRefusal) {
      const target = email ? await this.#users.findByEmail(email) : null;
      await this.#audit.record('rate.limited', client, {
        userId: target?.id ?? null,
        sessionId: sessionId ?? null,
        details: { scope: verdict.scope, retryAfterSeconds: Math.ceil(verdict.retryAfterMs / 1000) },
      });
    }
    return { ok: false as const, code: 'rate_limited' as const, retryAfterMs: verdict.retryAfterMs };
  }
}

/** The account key for limits: the normalised email, or the trimmed lower-cased input when it is not an email. */
function throttleKey(rawEmail: string): string {
  return normaliseEmail(rawEmail) ?? rawEmail.trim().toLowerCase().slice(0, 320);
}
