import { type AuditClient, type AuditTrail, silentAuditTrail } from './audit.js';
import type { Clock } from './clock.js';
import { generateUuidV7 } from './ids.js';
import { checkPassword, type PasswordHasher, type PasswordPolicy } from './passwords.js';
import type { ListUsersOptions, User, UserPage, UserRepository } from './user.js';

export const ADMIN_ROLE = 'admin';
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;

/** Trim, NFC, lower-case: emails are unique regardless of case. Null when the result is not an address. */
export function normaliseEmail(raw: string): string | null {
  const email = raw.trim().normalize('NFC').toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_SHAPE.test(email)) return null;
  const domain = email.slice(email.lastIndexOf('@') + 1);
  if (!domain.includes('.') && domain !== 'localhost') return null;
  return email;
}

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

  constructor(options: UserServiceOptions) {
    this.#users = options.users;
    this.#hasher = options.hasher;
    this.#clock = options.clock;
    this.#policy = options.passwordPolicy;
    this.#audit = options.audit ?? silentAuditTrail(options.clock);
  }

  async register(input: RegisterInput): Promise<RegisterResult> {
    const email = normaliseEmail(input.email);
    if (!email) return { ok: false, code: 'invalid_request', message: 'The email address is not valid.' };
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
   * The user for these credentials, or null. Unknown emails, password-less and disabled accounts spend the same
   * argon2 work as a wrong password, so neither status, body nor timing tells them apart.
   */
  async authenticate(rawEmail: string, password: string): Promise<User | null> {
    const email = normaliseEmail(rawEmail);
    const user = email ? await this.#users.findByEmail(email) : null;
    if (!user?.passwordHash) {
      await this.#hasher.verifyDummy(password);
      return null;
    }
    const valid = await this.#hasher.verify(user.passwordHash, password);
    return valid && !user.disabled ? user : null;
  }

  /** Checks the current password, sets the new one and bumps the session version (every session dies). */
  async changePassword(user: User, currentPassword: string, newPassword: string): Promise<ChangePasswordResult> {
    const valid = user.passwordHash ? await this.#hasher.verify(user.passwordHash, currentPassword) : false;
    if (!valid) return { ok: false, code: 'invalid_credentials', message: 'The current password is incorrect.' };
    const check = checkPassword(newPassword, this.#policy, { email: user.email });
    if (!check.ok) return { ok: false, code: 'weak_password', message: check.message };
    const updated = await this.#users.setPassword(user.id, await this.#hasher.hash(newPassword), this.#clock.now());
    if (!updated) return { ok: false, code: 'invalid_credentials', message: 'The account no longer exists.' };
    return { ok: true, user: updated };
  }

  /** Replaces a user's roles. Refuses to remove the last admin, which would lock everyone out of administration. */
  async setRoles(userId: string, roles: string[], actor?: ChangeActor): Promise<SetRolesResult> {
    const target = await this.#users.findById(userId);
    if (!target) return { ok: false, code: 'not_found' };
    const next = [...new Set(roles)].sort();
    if (target.roles.includes(ADMIN_ROLE) && !next.includes(ADMIN_ROLE)) {
      if ((await this.#users.countWithRole(ADMIN_ROLE)) <= 1) return { ok: false, code: 'last_admin' };
    }
    const user = await this.#users.setRoles(userId, next, this.#clock.now());
    if (!user) return { ok: false, code: 'not_found' };
    await this.#audit.record('roles.changed', actor?.client ?? null, {
      userId,
      details: { from: target.roles, to: user.roles, actorId: actor?.actorId ?? null },
    });
    return { ok: true, user };
  }

  findById(id: string): Promise<User | null> {
    return this.#users.findById(id);
  }

  async findByEmail(rawEmail: string): Promise<User | null> {
    const email = normaliseEmail(rawEmail);
    return email ? this.#users.findByEmail(email) : null;
  }

  list(options: ListUsersOptions): Promise<UserPage> {
    return this.#users.list(options);
  }
}
