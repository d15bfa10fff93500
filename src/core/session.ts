/** What kind of credential a stored session stands behind. */
export type SessionKind = 'cookie' | 'api';

/**
 * A server-side session. The secret that proves it is never stored: only its SHA-256 (`tokenHash`).
 * All times are epoch milliseconds.
 */
export interface Session {
  /** Public random id, shown in listings and used to revoke. Not a credential. */
  id: string;
  tokenHash: string;
  userId: string;
  kind: SessionKind;
  /** The user's sessionVersion when this session was made; a mismatch means it was revoked wholesale. */
  userVersion: number;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  /** How far activity slides idleExpiresAt (depends on "remember me"). */
  idleTimeoutMs: number;
  rememberMe: boolean;
  ip: string;
  userAgent: string;
  /** Browser and OS as describeUserAgent(userAgent) gives them: a store may derive them rather than store them. */
  browser: string | null;
  os: string | null;
  country: string | null;
  csrfToken: string;
  /** Third-party provider that signed this session in, if any. */
  provider: string | null;
}

/** The part of a session that activity changes. */
export interface SessionActivity {
  lastSeenAt: number;
  idleExpiresAt: number;
  ip: string;
  country: string | null;
}

/**
 * Port: where sessions live (SQL table, Redis, Redis Cluster). Every implementation passes
 * test/contracts/session-store.ts. Stores do not judge expiry beyond dropping records they know are dead;
 * SessionService decides validity.
 */
export interface SessionStore {
  insert(session: Session): Promise<void>;
  findByTokenHash(tokenHash: string): Promise<Session | null>;
  findById(id: string): Promise<Session | null>;
  touch(tokenHash: string, activity: SessionActivity): Promise<void>;
  /** True when a session was deleted. */
  delete(tokenHash: string): Promise<boolean>;
  /** Sessions of the user, including ones that may have expired but not yet been pruned. */
  listForUser(userId: string): Promise<Session[]>;
  /** Deletes every session of the user except the one with `exceptTokenHash`; returns how many were deleted. */
  deleteAllForUser(userId: string, exceptTokenHash?: string): Promise<number>;
  /** Removes sessions past their expiry; returns how many. Stores whose records expire by themselves return 0. */
  pruneExpired(now: number): Promise<number>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Where a request comes from, recorded on the session for the devices list and anomaly checks. */
export interface ClientInfo {
  ip: string;
  userAgent: string;
}
