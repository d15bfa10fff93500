import type { EmailToken, EmailTokenPurpose } from './email-tokens.js';

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
  /** Default `["user"]` (an invitation may say otherwise); the very first user ever also gets `admin`. */
  roles?: string[];
}

/**
 * Fields of an account that change without touching credentials, roles, the disabled flag or the session version
 * (roles and the flag go through setRoles and setDisabled, which keep an active admin).
 */
export interface UserChanges {
  name?: string;
  emailVerified?: boolean;
  secondFactors?: SecondFactorKind[];
}

/**
 * A change that could take away the last active admin (a demotion, disabling, deleting): `last_admin` when it
 * would, decided in the same atomic write as the change itself, so that concurrent changes on several instances
 * cannot together remove every active admin.
 */
export type GuardedUserWrite = { ok: true; user: User } | { ok: false; code: 'not_found' | 'last_admin' };

/** What following an email link changes on the account, in the same transaction that spends the link. */
export interface TokenEffect {
  /** A new password hash; the session version is bumped with it (every session and token family dies). */
  passwordHash?: string;
  /** The address becomes the token's address (a confirmed change of email). */
  takeEmail?: boolean;
  /** The account's address counts as verified from now on. */
  verifyEmail?: boolean;
}

export interface TokenRedemption {
  tokenHash: string;
  /** The purposes this endpoint accepts: a token made for another purpose is not found. */
  purposes: readonly EmailTokenPurpose[];
  now: number;
  effect: TokenEffect;
}

export type RedeemResult =
  | { ok: true; user: User; token: EmailToken }
  /** Unknown, spent, expired, for another purpose, or for an address the account no longer has. */
  | { ok: false; code: 'invalid_token' }
  /** A change of email whose new address another account took meanwhile. */
  | { ok: false; code: 'email_taken' };

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
  /** Replaces the role set; refuses (`last_admin`) to take `admin` from the last active admin. */
  setRoles(id: string, roles: string[], now: number): Promise<GuardedUserWrite>;
  /**
   * Sets the disabled flag. Disabling bumps sessionVersion in the same write (every session, token family and
   * download link dies) and refuses (`last_admin`) to disable the last active admin.
   */
  setDisabled(id: string, disabled: boolean, now: number): Promise<GuardedUserWrite>;
  /**
   * Deletes the account and everything that hangs off it (sessions kept in SQL, identities, tokens, factors,
   * queued mail), not the audit trail; refuses (`last_admin`) to delete the last active admin. The deleted record
   * comes back.
   */
  delete(id: string): Promise<GuardedUserWrite>;
  /**
   * Spends an email token of the user and applies its effect, all or nothing: the token is deleted, the account
   * changed, and the user's other tokens that the change makes stale are deleted with it.
   */
  redeemEmailToken(userId: string, redemption: TokenRedemption): Promise<RedeemResult>;
  /** Sets a new password hash and bumps sessionVersion in one write; returns the updated user. */
  setPassword(id: string, passwordHash: string, now: number): Promise<User | null>;
  /** Applies the changes in one write; null when the user does not exist. */
  update(id: string, changes: UserChanges, now: number): Promise<User | null>;
  /** Bumps sessionVersion so that every existing session of the user is refused; returns the updated user. */
  bumpSessionVersion(id: string, now: number): Promise<User | null>;
  /** Number of users holding the role. */
  countWithRole(role: string): Promise<number>;
}
