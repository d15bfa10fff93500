import { BoundedMemo } from '../../core/bounded-memo.js';
import {
  liveCountries,
  type Session,
  type SessionActivity,
  type SessionProof,
  type SessionStore,
} from '../../core/session.js';
import type { TrackedCache } from './tracked-cache.js';

export interface SessionCaches {
  /**
   * Sessions by token hash (the bare hash: the key and the session's `tokenHash` are one string), and by public id
   * under `idKey` (API token families on every Bearer request).
   */
  sessions: TrackedCache<Session>;
  /**
   * Each user's sessions as token hashes (devices list, anomaly checks on every GET /api/session), the sessions
   * themselves coming from `sessions`: a list depends on its user's index alone and holds no copy of listing data
   * (issue 18). Held under the bare user id (with Redis, its `localKey` maps `hd:us:{userId}` invalidations to it).
   */
  lists: TrackedCache<string[]>;
  /**
   * The coherence key of a session's public id (Redis: `hd:sid:{id}`, the id → token hash index); never a token hash
   * (base64url has no `:`).
   */
  idKey: (id: string) => string;
}

/**
 * Distinct strings kept for sharing at the least; a pool holds as many as its session cache has entries when that is
 * more, so that every cached user's id stays shared (at 16,384, a cache of 100k sessions of 38k users kept re-copying
 * them: 30 bytes a session, issue 18). Beyond it the oldest is forgotten (a copy then lives on in its sessions).
 */
const INTERNED_STRINGS = 16_384;

/**
 * One copy of each string that many cached sessions repeat (issue 18): a user's id across their sessions, the client
 * addresses, countries, user agents and what is parsed from them. Made-up values cost one entry each and are
 * forgotten first.
 */
export class StringPool {
  readonly #strings: BoundedMemo<string, string>;

  constructor(capacity = INTERNED_STRINGS) {
    this.#strings = new BoundedMemo<string, string>((s) => s, Math.max(INTERNED_STRINGS, capacity));
  }

  intern<S extends string | null>(value: S): S {
    return (value === null ? value : this.#strings.get(value)) as S;
  }

  /**
   * The session with its repeated strings shared, and `tokenHash` the given instance (the cache's key). Every field is
   * written out in one literal, so V8 keeps all of them inside the object: a spread of a decoded record left three
   * in a separate property array, 47 bytes more per cached session (issue 18).
   */
  session(s: Session, tokenHash = s.tokenHash): Session {
    return {
      id: s.id,
      tokenHash,
      userId: this.intern(s.userId),
      kind: s.kind,
      userVersion: s.userVersion,
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      idleExpiresAt: s.idleExpiresAt,
      absoluteExpiresAt: s.absoluteExpiresAt,
      idleTimeoutMs: s.idleTimeoutMs,
      rememberMe: s.rememberMe,
      ip: this.intern(s.ip),
      userAgent: this.intern(s.userAgent),
      browser: this.intern(s.browser),
      os: this.intern(s.os),
      country: this.intern(s.country),
      csrfToken: s.csrfToken,
      provider: this.intern(s.provider),
      authenticatedAt: s.authenticatedAt,
      methods: s.methods,
      deviceKey: s.deviceKey,
    };
  }
}

/**
 * The session already held in memory when it says the same as the one just read, field for field (records are
 * never changed in place), else the one just read: so a session cached on its own and in its user's list is one
 * object, not two.
 */
function oneCopy(held: Session | undefined, fresh: Session): Session {
  if (!held) return fresh;
  const left = held as unknown as Record<string, unknown>;
  const right = fresh as unknown as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return fresh;
  for (const key of keys) if (left[key] !== right[key]) return fresh;
  return held;
}

/**
 * SessionStore decorator: serves findByTokenHash (every authenticated request), findById (every Bearer request reads
 * its token family so) and listForUser (every GET /api/session, for the anomaly warning) from memory while the
 * caches' coherence says entries are current. A lookup by id depends on the session it found, and a list (token hashes
 * only) on its user's index, so adding, touching or deleting any of them drops it — whoever does it:
 * a change made outside Heimdall (SQL, redis-cli) reaches these entries through the same coherence (issue 15).
 * Writes go to the inner store first and then drop what they changed; entries are refilled by the next read,
 * never written from our side, because with Redis only a read makes the server track a key for us.
 */
export class CachedSessionStore implements SessionStore {
  readonly #inner: SessionStore;
  readonly #caches: SessionCaches;
  readonly #strings: StringPool;

  constructor(inner: SessionStore, caches: SessionCaches) {
    this.#inner = inner;
    this.#caches = caches;
    this.#strings = new StringPool(caches.sessions.capacity);
  }

  async insert(session: Session): Promise<void> {
    await this.#inner.insert(session);
    this.#drop(session.tokenHash, session.userId);
  }

  findByTokenHash(tokenHash: string): Promise<Session | null> {
    const { sessions, lists } = this.#caches;
    return sessions.get(tokenHash, async () => {
      const found = await this.#inner.findByTokenHash(tokenHash);
      if (!found) return null;
      // One copy of the hash for the entry's key, the session and its user's cached list (whose own copy, read with
      // the list, is swapped for this one: equal strings, so the list says the same).
      const listed = lists.peek(found.userId);
      const at = listed ? listed.indexOf(tokenHash) : -1;
      if (at !== -1) listed![at] = tokenHash;
      return this.#strings.session(found, tokenHash);
    });
  }

  findById(id: string): Promise<Session | null> {
    const { sessions, idKey } = this.#caches;
    return sessions.getComposite(idKey(id), async () => {
      const found = await this.#inner.findById(id);
      if (!found) return null;
      const session = this.#strings.session(found);
      return { value: oneCopy(sessions.peek(session.tokenHash), session), dependsOn: [session.tokenHash] };
    });
  }

  async touch(tokenHash: string, activity: SessionActivity): Promise<void> {
    await this.#inner.touch(tokenHash, activity);
    this.#drop(tokenHash);
  }

  async update(tokenHash: string, proof: SessionProof): Promise<boolean> {
    try {
      return await this.#inner.update(tokenHash, proof);
    } finally {
      this.#drop(tokenHash);
    }
  }

  async delete(tokenHash: string): Promise<boolean> {
    this.#drop(tokenHash);
    try {
      return await this.#inner.delete(tokenHash);
    } finally {
      this.#drop(tokenHash);
    }
  }

  async listForUser(userId: string): Promise<Session[]> {
    const { lists } = this.#caches;
    let fresh: Session[] | undefined;
    const hashes = await lists.get(userId, async () => {
      fresh = (await this.#inner.listForUser(userId)).map((s) =>
        oneCopy(this.#caches.sessions.peek(s.tokenHash), this.#strings.session(s)),
      );
      return fresh.map((s) => s.tokenHash);
    });
    // Just read: answered as read. Held: each session from the sessions cache (read and kept there on a miss), and
    // one gone since (deleted, expired) left out.
    if (fresh) return fresh;
    const found = await Promise.all((hashes ?? []).map((hash) => this.findByTokenHash(hash)));
    return found.filter((s): s is Session => s !== null && s.userId === userId);
  }

  async deleteAllForUser(userId: string, exceptTokenHash?: string): Promise<number> {
    const drop = () => {
      this.#caches.sessions.invalidateWhere((s) => s.userId === userId && s.tokenHash !== exceptTokenHash);
      this.#drop(userId);
    };
    drop();
    try {
      return await this.#inner.deleteAllForUser(userId, exceptTokenHash);
    } finally {
      drop();
    }
  }

  async pruneExpired(now: number): Promise<number> {
    const pruned = await this.#inner.pruneExpired(now);
    if (pruned > 0) {
      this.#caches.sessions.invalidateWhere((s) => now >= s.idleExpiresAt || now >= s.absoluteExpiresAt);
      this.#caches.lists.flush();
    }
    return pruned;
  }

  async trimForUser(userId: string, keep: number): Promise<Session[]> {
    const trimmed = await this.#inner.trimForUser(userId, keep);
    if (trimmed.length > 0) {
      this.#drop(userId, ...trimmed.map((s) => s.tokenHash));
    }
    return trimmed;
  }

  /** From the user's cached list (kept coherent, no round trip when held), as the devices list reads it. */
  async countriesForUser(userId: string, now: number): Promise<string[]> {
    return liveCountries(await this.listForUser(userId), now);
  }

  ping(): Promise<void> {
    return this.#inner.ping();
  }

  async close(): Promise<void> {
    this.#caches.sessions.close();
    this.#caches.lists.close();
    await this.#inner.close();
  }

  #drop(...keys: string[]): void {
    for (const key of keys) {
      this.#caches.sessions.invalidate(key);
      this.#caches.lists.invalidate(key);
    }
  }
}
