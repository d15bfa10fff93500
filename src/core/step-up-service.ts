import type { AccountService } from './account-service.js';
import type { AuditTrail } from './audit.js';
import { ceremonyKey, type PasskeyService } from './passkey-service.js';
import type { FactorFailure, SecondFactorService } from './second-factor-service.js';
import type { AuthMethod, ClientInfo } from './session.js';
import type { Authenticated, IssuedSession, SessionService } from './session-service.js';
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from './webauthn.js';

/** What POST /api/auth/reauthenticate may carry: a password, a code from the app, a passkey — or password and code. */
export interface ReauthenticationProof {
  password?: string;
  totp?: string;
  passkey?: AuthenticationResponseJSON;
}

export type ReauthenticationResult =
  | ({ ok: true } & IssuedSession)
  | FactorFailure
  | { ok: false; code: 'second_factor_required'; message: string };

export interface StepUpServiceOptions {
  accounts: AccountService;
  secondFactors: SecondFactorService;
  passkeys: PasskeyService;
  sessions: SessionService;
  audit: AuditTrail;
}

/**
 * Re-authentication (step-up, API.md "Fresh authentication"): the signed-in owner proves a factor again, and the
 * session — same public id, new secret — counts as proven now. The rule that keeps a session at its strength: an
 * account with a second factor re-authenticates with that factor (a code from its app, or a passkey, which with
 * user verification is two factors at once); its password alone is refused with `second_factor_required`. The second
 * factor guards every way in, re-authentication included, so a stolen session plus a phished password is not enough
 * to add a passkey or remove the app.
 */
export class StepUpService {
  readonly #accounts: AccountService;
  readonly #secondFactors: SecondFactorService;
  readonly #passkeys: PasskeyService;
  readonly #sessions: SessionService;
  readonly #audit: AuditTrail;

  constructor(options: StepUpServiceOptions) {
    this.#accounts = options.accounts;
    this.#secondFactors = options.secondFactors;
    this.#passkeys = options.passkeys;
    this.#sessions = options.sessions;
    this.#audit = options.audit;
  }

  /** Request options for re-authenticating this session with one of the account's passkeys. */
  passkeyOptions(auth: Authenticated): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return this.#passkeys.assertionOptions(ceremonyKey('step-up', auth.session.id), auth.user.id);
  }

  async reauthenticate(
    auth: Authenticated,
    proof: ReauthenticationProof,
    client: ClientInfo,
  ): Promise<ReauthenticationResult> {
    const { user, session } = auth;
    if (proof.password === undefined && proof.totp === undefined && proof.passkey === undefined) {
      return { ok: false, code: 'invalid_request', message: 'Give a password, a code from your app, or a passkey.' };
    }
    const methods: AuthMethod[] = [];
    if (proof.password !== undefined) {
      const checked = await this.#accounts.checkCredentials(user.email, proof.password, client);
      if (!checked.ok && checked.code === 'rate_limited') return checked;
      if (!checked.ok || checked.user.id !== user.id) {
        return { ok: false, code: 'invalid_credentials', message: 'The password is incorrect.' };
      }
      methods.push('password');
    }
    if (proof.passkey !== undefined || proof.totp !== undefined) {
      const factor = proof.passkey !== undefined ? { passkey: proof.passkey } : { totp: proof.totp! };
      const key = ceremonyKey('step-up', session.id);
      const checked = await this.#secondFactors.verify(user, factor, client, 'reauthentication', key);
      if (!checked.ok) return checked;
      methods.push(checked.method);
    } else if ((await this.#secondFactors.methodsOf(user.id)).length > 0) {
      return {
        ok: false,
        code: 'second_factor_required',
        message: 'This account has a second factor: confirm with your authenticator app or a passkey.',
      };
    }
    const issued = await this.#sessions.reprove(session, user, methods);
    await this.#audit.record('auth.reauthenticated', client, {
      userId: user.id,
      sessionId: session.id,
      details: { methods },
    });
    return { ok: true, ...issued };
  }
}
