import { type AnomalyDetector, revokedEverySession, type SecurityWarning } from './anomaly.js';
import type { AuditTrail } from './audit.js';
import type { AuthMethod, ClientInfo } from './session.js';
import type { IssuedSession, SessionService } from './session-service.js';
import type { User } from './user.js';

/** A sign-in that is complete: the user, the new session and its secret, and any warnings for the answer. */
export type CompletedSignIn = { ok: true; user: User; warnings: SecurityWarning[] } & IssuedSession;

/** ANOMALY_ACTION=revoke ended every session of the account, the one just made included: there is none to hand out. */
export type EndedByAnomaly = { ok: false; code: 'unauthenticated'; message: string };

export interface SignInCompletionOptions {
  sessions: SessionService;
  audit: AuditTrail;
  anomalies?: Pick<AnomalyDetector, 'afterSignIn'>;
}

/**
 * The last step of every sign-in whose final proof is a second factor or a passkey: a session cookie sent along is
 * revoked first (fixation), a new session records how it was proven, the anomaly checks run as for any sign-in, and
 * `auth.login` is audited with the method and the second factor.
 */
export class SignInCompletion {
  readonly #sessions: SessionService;
  readonly #audit: AuditTrail;
  readonly #anomalies: Pick<AnomalyDetector, 'afterSignIn'> | undefined;

  constructor(options: SignInCompletionOptions) {
    this.#sessions = options.sessions;
    this.#audit = options.audit;
    this.#anomalies = options.anomalies;
  }

  async finish(
    user: User,
    methods: readonly AuthMethod[],
    client: ClientInfo,
    options: { rememberMe?: boolean; provider?: string | null },
    presentedSessionSecret?: string,
  ): Promise<CompletedSignIn | EndedByAnomaly> {
    if (presentedSessionSecret) await this.#sessions.revokeBySecret(presentedSessionSecret);
    const issued = await this.#sessions.create(user, client, {
      methods,
      rememberMe: options.rememberMe === true,
      provider: options.provider ?? null,
    });
    const warnings = (await this.#anomalies?.afterSignIn(issued.session, client, false)) ?? [];
    const [method, ...factors] = methods;
    await this.#audit.record('auth.login', client, {
      userId: user.id,
      sessionId: issued.session.id,
      details: {
        method,
        ...(factors.length ? { secondFactor: factors.join('+') } : {}),
        ...(options.provider ? { provider: options.provider } : {}),
      },
    });
    if (revokedEverySession(warnings)) return { ok: false, code: 'unauthenticated', message: warnings[0]!.message };
    return { ok: true, user, warnings, ...issued };
  }
}
