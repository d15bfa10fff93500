/** JWS algorithms Heimdall signs with: Ed25519 (default) or P-256 ECDSA. Never a symmetric one. */
export type SigningAlgorithm = 'EdDSA' | 'ES256';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['EdDSA', 'ES256'];

/**
 * active: signs (and verifies). verify-only: replaced by a newer key; verifies until `retireAfter`, when every token
 * it may have signed has expired. retired: neither; its private part has been erased.
 */
export type SigningKeyState = 'active' | 'verify-only' | 'retired';

/** A public JWK as published in the JWKS (no private members). */
export type PublicJwk = Record<string, string>;

/** A signing key as stored. The private JWK is only ever stored sealed (see SecretBox). */
export interface StoredSigningKey {
  /** RFC 7638 thumbprint of the public key. */
  kid: string;
  alg: SigningAlgorithm;
  state: SigningKeyState;
  publicJwk: PublicJwk;
  /** Sealed private JWK; null once retired. */
  sealedPrivateJwk: string | null;
  createdAt: number;
  /** Set when the key stops signing: after this instant it no longer verifies. */
  retireAfter: number | null;
  retiredAt: number | null;
}

/** Port: where signing keys live (SQL on SQLite or PostgreSQL). */
export interface SigningKeyRepository {
  /** Every key, newest first, retired ones included (for `heimdall keys list`). */
  list(): Promise<StoredSigningKey[]>;
  /**
   * Compare-and-swap, in one transaction: the key `replacing.kid` (null: none) must still be the active one; it
   * becomes verify-only until `replacing.retireAfter` and `key` is inserted as the only active key. False when
   * another writer got there first (at most one key is ever active); the caller then reloads instead.
   */
  activate(key: StoredSigningKey, replacing: { kid: string | null; retireAfter: number }): Promise<boolean>;
  /** Marks a verify-only key retired and erases its sealed private part. */
  retire(kid: string, now: number): Promise<void>;
}
