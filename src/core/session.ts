/** What kind of credential a stored session stands behind. */
export type SessionKind = 'cookie' | 'api';

/** How a session's holder proved who they are (API.md: `session.methods`), in this order when several. */
export const AUTH_METHODS = ['password', 'oidc', 'passkey', 'totp', 'recovery_code'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** Methods as a bit set: bit i for AUTH_METHODS[i]. Throws on a name core does not know. */
export function methodBits(methods: readonly string[]): number {
  let bits = 0;
  for (const method of methods) {
    const index = AUTH_METHODS.indexOf(method as AuthMethod);
    if (index === -1) throw new TypeError(`unknown authentication method: ${method}`);
    bits |= 1 << index;
  }
  return bits;
}

const METHOD_SETS = new Map<number, readonly AuthMethod[]>();

/**
 * The one frozen array for a set of methods, in AUTH_METHODS order: sessions share it (a few dozen possible sets
 * against up to millions of cached sessions), and equal sets compare with ===.
 */
export function methodSetOfBits(bits: number): readonly AuthMethod[] {
  let set = METHOD_SETS.get(bits);
  if (!set) {
    set = Object.freeze(AUTH_METHODS.filter((_, index) => (bits & (1 << index)) !== 0));
    METHOD_SETS.set(bits, set);
  }
  return set;
}

/** The shared array for these methods (each once, in AUTH_METHODS order). */
export function methodSet(methods: readonly string[]): readonly AuthMethod[] {
  return methodSetOfBits(methodBits(methods));
}

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
  /** When a factor was last proven on this session (sign-in, re-authentication); step-up checks read it. */
  authenticatedAt: number;
  /** The factors proven at that moment, in AUTH_METHODS order. */
  methods: readonly AuthMethod[];
  /**
   * The public key (JWK, JSON) this session is bound to by Device Bound Session Credentials, or null: a bound
   * session is accepted only with a fresh cookie that only the key's holder can renew.
   */
  deviceKey: string | null;
}

/** What a proof or a binding changes on a live session, in place (same secret, same id). */
export interface SessionProof {
  authenticatedAt?: number;
  methods?: readonly AuthMethod[];
  deviceKey?: string | null;
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
  /** Changes the proof or binding fields of a live session; false when there is no such session (never recreates). */
  update(tokenHash: string, proof: SessionProof): Promise<boolean>;
  /** True when a session was deleted. */
  delete(tokenHash: string): Promise<boolean>;
  /** Sessions of the user, including ones that may have expired but not yet been pruned. */
  listForUser(userId: string): Promise<Session[]>;
  /** Deletes every session of the user except the one with `exceptTokenHash`; returns how many were deleted. */
  deleteAllForUser(userId: string, exceptTokenHash?: string): Promise<number>;
  /** Removes sessions past their expiry; returns how many. Stores whose records expire by themselves return 0. */
  pruneExpired(now: number): Promise<number>;
  /**
   * SESSION_MAX_PER_USER: deletes the user's sessions beyond the newest `keep` (by creation, then id) and returns
   * them. Called after each insert; since each caller reads after its own insert, concurrent sign-ins never leave
   * more than `keep` between them.
   */
  trimForUser(userId: string, keep: number): Promise<Session[]>;
  /** The distinct countries of the user's sessions live at `now`, sorted (the anomaly check reads only these). */
  countriesForUser(userId: string, now: number): Promise<string[]>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Where a request comes from, recorded on the session for the devices list and anomaly checks. */
export interface ClientInfo {
  ip: string;
  userAgent: string;
}

/** Newest first: by creation, then by id (the order SESSION_MAX_PER_USER keeps). */
export function newestFirst(a: Session, b: Session): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** The distinct countries of the sessions live at `now`, sorted. */
export function liveCountries(sessions: readonly Session[], now: number): string[] {
  const countries = new Set<string>();
  for (const s of sessions) {
    if (s.country !== null && now < s.idleExpiresAt && now < s.absoluteExpiresAt) countries.add(s.country);
  }
  return [...countries].sort();
}
