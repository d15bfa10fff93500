export type SecondFactorKind = 'totp' | 'passkey';

/** A Heimdall account. Roles live here, in the source of truth, and are read on every request. */
export interface User {
  id: string;
  /** Normalised: trimmed, NFC, lower-case. Unique. */
  email: string;
  name: string;
  roles: string[];
  /** argon2id PHC string; null for accounts that only sign in through a third party. */
  passwordHash: string | null;
  disabled: boolean;
  /** Heimdall itself confirmed the owner receives mail at `email` (a link it sent was followed). */
  emailVerified: boolean;
  /** Second factors enrolled, kept on the record so that every request sees them without another read. */
  secondFactors: SecondFactorKind[];
  /**
   * Bumped whenever every session of the user must die (password change, sign-out everywhere, admin revocation).
   * A session minted under an older version is refused even if its record survived a crash between steps.
   */
  sessionVersion: number;
  createdAt: number;
  updatedAt: number;
}

export interface NewUser {
  id: string;
  email: string;
  name: string;
  passwordHash: string | null;
  createdAt: number;
  /** Default false: only a followed link (or a provider Heimdall trusts for it) verifies an address. */
  emailVerified?: boolean;
}

/** Fields of an account that change without touching credentials, roles or the session version. */
export interface UserChanges {
  name?: string;
  emailVerified?: boolean;
  secondFactors?: SecondFactorKind[];
  disabled?: boolean;
}

export interface UserPage {
  users: User[];
  nextCursor: string | null;
}

export interface ListUsersOptions {
  /** Case-insensitive substring of email or name. */
  query?: string;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  limit: number;
}

export type CreateUserResult = { ok: true; user: User } | { ok: false; code: 'email_taken' };

/** Port: where users live (SQL through Kysely, optionally behind a cache). */
export interface UserRepository {
  /**
   * Inserts the user; the very first user ever created gets role `admin`, everyone else `user`.
   * Atomic: on failure no row is left behind.
   */
  create(user: NewUser): Promise<CreateUserResult>;
  findById(id: string): Promise<User | null>;
  findByEmail(email: string): Promise<User | null>;
  list(options: ListUsersOptions): Promise<UserPage>;
  /** Replaces the role set; null when the user does not exist. */
  setRoles(id: string, roles: string[], now: number): Promise<User | null>;
  /** Sets a new password hash and bumps sessionVersion in one write; returns the updated user. */
  setPassword(id: string, passwordHash: string, now: number): Promise<User | null>;
  /** Applies the changes in one write; null when the user does not exist. */
  update(id: string, changes: UserChanges, now: number): Promise<User | null>;
  /** Bumps sessionVersion so that every existing session of the user is refused; returns the updated user. */
  bumpSessionVersion(id: string, now: number): Promise<User | null>;
  /** Number of users holding the role. */
  countWithRole(role: string): Promise<number>;
}
