/**
 * A third-party identity linked to a Heimdall account. The pair (issuer, subject) is what identifies the person at
 * the provider (OIDC Core §5.7: `sub` is unique only within its issuer); the email is a snapshot for display and is
 * never used to find the account again.
 */
export interface Identity {
  id: string;
  userId: string;
  /** The configured provider name it came through (for labels); lookups use issuer + subject. */
  provider: string;
  issuer: string;
  subject: string;
  email: string | null;
  createdAt: number;
  lastUsedAt: number;
}

export type LinkIdentityResult = { ok: true; identity: Identity } | { ok: false; code: 'identity_taken' };

/** Port: where linked identities live (SQL through Kysely). */
export interface IdentityRepository {
  findBySubject(issuer: string, subject: string): Promise<Identity | null>;
  /** Inserts the link; refuses when (issuer, subject) is already linked to any account. */
  insert(identity: Identity): Promise<LinkIdentityResult>;
  /** Records a sign-in through the identity (time and the email the provider reported this time). */
  touch(id: string, now: number, email: string | null): Promise<void>;
  listForUser(userId: string): Promise<Identity[]>;
  /**
   * Deletes one of the user's identities. With `keepOne`, refuses (`last`) when it is the user's only identity;
   * the count and the delete are one atomic step, so two concurrent unlinks cannot both pass the check.
   */
  delete(userId: string, id: string, options: { keepOne: boolean }): Promise<'deleted' | 'not_found' | 'last'>;
}

/** What a pre-login cookie stands for between /start and /callback. */
export interface PendingSignOn {
  /** SHA-256 of the pre-login cookie's secret; the secret itself is never stored. */
  keyHash: string;
  provider: string;
  /** `link` adds the identity to `userId`'s account instead of signing anyone in. */
  intent: 'sign-in' | 'link';
  userId: string | null;
  /** The session that asked to link; it must still be alive when the provider answers. */
  sessionId: string | null;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Validated by checkReturnTo(): a same-origin path or an absolute URL on an allowed origin. */
  returnTo: string;
  createdAt: number;
  expiresAt: number;
}

/** Port: short-lived sign-on attempts. `take` reads and deletes in one step, so each attempt is used at most once. */
export interface PendingSignOnStore {
  /** Stores the attempt, dropping attempts that expired before `now`. */
  insert(pending: PendingSignOn, now: number): Promise<void>;
  take(keyHash: string): Promise<PendingSignOn | null>;
}
