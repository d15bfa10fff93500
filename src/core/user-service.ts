import { type AuditClient, type AuditTrail, silentAuditTrail } from './audit.js';
import type { Clock } from './clock.js';
import { findUserByTypedEmail, normaliseEmail } from './email-address.js';
import type { EventBus } from './events.js';
import { generateUuidV7 } from './ids.js';
import { checkPassword, type PasswordHasher, type PasswordPolicy } from './passwords.js';
import type { ListUsersOptions, User, UserPage, UserRepository } from './user.js';

export { normaliseEmail } from './email-address.js';

export const ADMIN_ROLE = 'admin';

export interface RegisterInput {
  email: string;
  password: string;
  name?: string;
}

export type RegisterResult =
  | { ok: true; user: User }
  | { ok: false; code: 'invalid_request' | 'weak_password' | 'email_taken'; message?: string };

export type ChangePasswordResult =
  | { ok: true; user: User }
  | { ok: false; code: 'invalid_credentials' | 'weak_password'; message?: string };

export type SetRolesResult = { ok: true; user: User } | { ok: false; code: 'not_found' | 'last_admin' };

export interface UserServiceOptions {
  users: UserRepository;
  hasher: PasswordHasher;
  clock: Clock;
  passwordPolicy: PasswordPolicy;
  audit?: AuditTrail;
  /** Where `roles.changed` is announced, so the user's open pages update without a reload. */
  events?: EventBus;
}

/** Who changed something about an account, for the audit log (null actor: the command line). */
export interface ChangeActor {
  actorId: string | null;
  client: AuditClient | null;
}

/** Accounts: registration, credential checks, password changes and roles. */
export class UserService {
  readonly #users: UserRepository;
  readonly #hasher: PasswordHasher;
  readonly #clock: Clock;
  readonly #policy: PasswordPolicy;
  readonly #audit: AuditTrail;
  readonly #events: EventBus | undefined;

  constructor(options: UserServiceOptions) {
    this.#users = options.users;
    this.#hasher = options.hasher;
    this.#clock = options.clock;
    this.#policy = options.passwordPolicy;
    this.#audit = options.audit ?? silentAuditTrail(options.clock);
    this.#events = options.events;
  }

  async register(input: RegisterInput): Promise<RegisterResult> {
    const email = normaliseEmail(input.email);
    if (!email) {
      return {
        ok: false,
        code: 'invalid_request',
        message: 'The email address is not valid (or holds invisible characters).',
      };
    }
    const check = checkPassword(input.password, this.#policy, { email });
    if (!check.ok) return { ok: false, code: 'weak_password', message: check.message };
    const now = this.#clock.now();
    const passwordHash = await this.#hasher.hash(input.password);
    const name = (input.name ?? '').trim() || (email.split('@')[0] ?? email);
    const created = await this.#users.create({
      id: generateUuidV7(this.#clock),
      email,
      name,
      passwordHash,
      createdAt: now,
    });
    return created.ok ? created : { ok: false, code: 'email_taken' };
  }

  /**
   * The user for these credentials, or null. Unknown emails and password-less accounts spend the same argon2 work as
   * a wrong password, so neither status, body nor timing tells them apart. A disabled account comes back too, with
   * `disabled` set: only the right password may learn that it is disabled (API.md, "Accounts").
   */
  async authenticate(rawEmail: string, password: string): Promise<User | null> {
    const user = await findUserByTypedEmail(this.#users, rawEmail);
    if (!user?.passwordHash) {
      await this.#hasher.verifyDummy(password);
      return null;
    }
    const valid = await this.#hasher.verify(user.passwordHash, password);
    return valid ? user : null;
  }

  /** Checks the current password, sets the new one and bumps the session version (every session dies). */
  async changePassword(user: User, currentPassword: string, newPassword: string): Promise<ChangePasswordResult> {
    // The hash comes from the source of truth, not from the request's (possibly cached) user record.
    const stored = await this.#users.findByEmail(user.email);
    const valid = stored?.passwordHash ? await this.#hasher.verify(stored.passwordHash, currentPassword) : false;
    if (!valid) return { ok: false, code: 'invalid_credentials', message: 'The current password is incorrect.' };
    const check = checkPassword(newPassword, this.#policy, { email: user.email });
    if (!check.ok) return { ok: false, code: 'weak_password', message: check.message };
    const updated = await this.#users.setPassword(user.id, await this.#hasher.hash(newPassword), this.#clock.now());
    if (!updated) return { ok: false, code: 'invalid_credentials', message: 'The account no longer exists.' };
    return { ok: true, user: updated };
  }

  /**
   * Replaces a user's roles. Refuses to take `admin` from the last active admin, which would lock everyone out of
   * administration: the repository decides that in the write itself, so concurrent demotions cannot both pass.
   */
  async setRoles(userId: string, roles: string[], actor?: ChangeActor): Promise<SetRolesResult> {
    const target = await this.#users.findById(userId);
    if (!target) return { ok: false, code: 'not_found' };
    const next = [...new Set(roles)].sort();
    const written = await this.#users.setRoles(userId, next, this.#clock.now());
    if (!written.ok) return written;
    const { user } = written;
    await this.#audit.record('roles.changed', actor?.client ?? null, {
      userId,
      details: { from: target.roles, to: user.roles, actorId: actor?.actorId ?? null },
    });
    if ([...target.roles].sort().join() !== [...user.roles].sort().join()) await this.#announceRoles(user);
    return { ok: true, user };
  }

  async #announceRoles(user: User): Promise<void> {
    try {
      await this.#events?.publish({ type: 'roles.changed', userId: user.id, data: { roles: user.roles } });
    } catch {
      // Best effort: authorization never depends on it (roles are read per request), and heartbeats catch up.
    }
  }

  findById(id: string): Promise<User | null> {
    return this.#users.findById(id);
  }

  findByEmail(rawEmail: string): Promise<User | null> {
    return findUserByTypedEmail(this.#users, rawEmail);
  }

  list(options: ListUsersOptions): Promise<UserPage> {
    return this.#users.list(options);
  }
}
