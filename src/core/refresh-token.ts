/**
 * One refresh token of an API token family. Only its SHA-256 is stored. The family is a session record of kind
 * `api` (its public id is `familyId`), so families are listed, revoked and expired like any session.
 */
export interface RefreshTokenRecord {
  tokenHash: string;
  familyId: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  /** When it was exchanged for its successor; a spent token presented again is reuse (RFC 9700 §4.14.2). */
  spentAt: number | null;
}

export type SpendResult =
  /** This caller, and only this one, spent the token. */
  | { outcome: 'spent'; token: RefreshTokenRecord }
  /** The token had already been spent: reuse. */
  | { outcome: 'reused'; token: RefreshTokenRecord }
  | { outcome: 'expired' | 'unknown' };

/**
 * Port: where refresh tokens live (SQL; Redis to follow). Every implementation passes
 * test/contracts/refresh-token-store.ts.
 */
export interface RefreshTokenStore {
  insert(token: RefreshTokenRecord): Promise<void>;
  /**
   * Marks an unspent, unexpired token spent. Atomic: of any number of concurrent calls for one token, exactly one
   * gets `spent`; the others get `reused`.
   */
  spend(tokenHash: string, now: number): Promise<SpendResult>;
  /** The token, spent or not; null when unknown. */
  find(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /** Deletes every token of a family; returns how many. */
  deleteFamily(familyId: string): Promise<number>;
  /** Removes tokens past their expiry (spent ones included); returns how many. */
  pruneExpired(now: number): Promise<number>;
}
