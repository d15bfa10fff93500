import type { Authenticated, ClientInfo, IssuedSession, SessionService } from './session-service.js';
import type { User } from './user.js';
import type { RegisterInput, UserService } from './user-service.js';

export interface LoginInput {
  email: string;
  password: string;
  rememberMe?: boolean;
}

export type AccountResult<Code extends string> =
  | ({ ok: true; user: User } & IssuedSession)
  | { ok: false; code: Code; message?: string };

export interface AccountServiceOptions {
  users: UserService;
  sessions: SessionService;
  allowRegistration: boolean;
}

/**
 * The flows that touch both accounts and sessions. Each one that signs someone in issues a brand-new session and
 * first deletes the one whose cookie came with the request, so a planted cookie never becomes a signed-in session.
 */
export class AccountService {
  readonly #users: UserService;
  readonly #sessions: SessionService;
  readonly #allowRegistration: boolean;

  constructor(options: AccountServiceOptions) {
    this.#users = options.users;
    this.#sessions = options.sessions;
    this.#allowRegistration = options.allowRegistration;
  }

  async register(
    input: RegisterInput,
    client: ClientInfo,
    presentedSecret?: string,
  ): Promise<AccountResult<'forbidden' | 'invalid_request' | 'weak_password' | 'email_taken'>> {
    if (!this.#allowRegistration) return { ok: false, code: 'forbidden', message: 'Registration is closed.' };
    const registered = await this.#users.register(input);
    if (!registered.ok) return registered;
    return this.#signIn(registered.user, client, false, presentedSecret);
  }

  async login(
    input: LoginInput,
    client: ClientInfo,
    presentedSecret?: string,
  ): Promise<AccountResult<'invalid_credentials'>> {
    const user = await this.#users.authenticate(input.email, input.password);
    if (!user) return { ok: false, code: 'invalid_credentials' };
    return this.#signIn(user, client, input.rememberMe === true, presentedSecret);
  }

  /**
   * Password change: the new hash and the session-version bump land in one write, then every stored session of the
   * user is deleted and the caller gets a fresh one.
   */
  async changePassword(
    auth: Authenticated,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
  ): Promise<AccountResult<'invalid_credentials' | 'weak_password'>> {
    const changed = await this.#users.changePassword(auth.user, currentPassword, newPassword);
    if (!changed.ok) return changed;
    await this.#sessions.dropStored(changed.user.id, auth.session.id);
    const issued = await this.#sessions.rotate(auth.session, changed.user, client);
    return { ok: true, user: changed.user, ...issued };
  }

  async #signIn(user: User, client: ClientInfo, rememberMe: boolean, presentedSecret?: string) {
    if (presentedSecret) await this.#sessions.revokeBySecret(presentedSecret);
    const issued = await this.#sessions.create(user, client, { rememberMe });
    return { ok: true as const, user, ...issued };
  }
}
