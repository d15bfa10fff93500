import {
  liveCountries,
  type Session,
  type SessionActivity,
  type SessionProof,
  type SessionStore,
} from '../../core/session.js';
import { type PackedSession, SessionPacker } from './packed-session.js';
import type { TrackedCache } from './tracked-cache.js';

export interface SessionCaches {
  /**
   * Sessions by token hash (the bare hash), packed (packed-session.ts), and the token hash of a session by its public
   * id under `idKey` (API token families on every Bearer request).
   */
  sessions: TrackedCache<PackedSession>;
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
  readonly #packer = new SessionPacker();

  constructor(inner: SessionStore, caches: SessionCaches) {
    this.#inner = inner;
    this.#caches = caches;
  }

  async insert(session: Session): Promise<void> {
    await this.#inner.insert(session);
    this.#drop(session.tokenHash, session.userId);
  }

  /** A hit answers without an async hop of its own; whatever goes wrong still comes back as a rejection. */
  findByTokenHash(tokenHash: string): Promise<Session | null> {
    try {
      const packed = this.#caches.sessions.cached(tokenHash);
      if (packed === undefined) return this.#load(tokenHash);
      const session = this.#packer.unpack(tokenHash, packed);
      if (session) return Promise.resolve(session);
      // It names a device the packer has since forgotten: read it again (the new entry names it anew).
      this.#caches.sessions.invalidate(tokenHash);
      return this.#load(tokenHash);
    } catch (error) {
      // SQLite's coherence reads PRAGMA data_version here, which throws once the database is closed or failing.
      return Promise.reject(error);
    }
  }

  /** A miss: the session from the inner store, kept packed when nothing changed it meanwhile. */
  async #load(tokenHash: string): Promise<Session | null> {
    const { sessions, lists } = this.#caches;
    let fresh: Session | undefined;
    const packed = await sessions.get(tokenHash, async () => {
      const found = await this.#inner.findByTokenHash(tokenHash);
      if (!found) return null;
      // One copy of the hash for the entry's key and its user's cached list (whose own copy, read with the list, is
      // swapped for this one: equal strings, so the list says the same).
      const listed = lists.peek(found.userId);
      const at = listed ? listed.indexOf(tokenHash) : -1;
      if (at !== -1) listed![at] = tokenHash;
      fresh = found;
      const packing = this.#packer.pack(found);
      this.#packer.remember(packing, found);
      return packing;
    });
    if (fresh) return fresh;
    // get() answered from an entry rather than loading: serve it as a hit.
    return packed === null ? null : this.findByTokenHash(tokenHash);
  }

  async findById(id: string): Promise<Session | null> {
    const { sessions, idKey } = this.#caches;
    const key = idKey(id);
    let fresh: Session | undefined;
    const tokenHash = await sessions.getComposite(key, async () => {
      const found = await this.#inner.findById(id);
      if (!found) return null;
      fresh = found;
      return { value: found.tokenHash, dependsOn: [found.tokenHash] };
    });
    if (fresh) return fresh;
    if (tokenHash === null) return null;
    const session = await this.findByTokenHash(tokenHash);
    if (session?.id === id) return session;
    // The session behind the hash went (its invalidation drops this entry too) or is no longer this one: ask the store.
    sessions.invalidate(key);
    return this.#inner.findById(id);
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
      fresh = await this.#inner.listForUser(userId);
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
      this.#caches.sessions.invalidateWhere(
        (value, key) => key !== exceptTokenHash && isPacked(value) && this.#packer.belongsTo(value, userId),
      );
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
      this.#caches.sessions.invalidateWhere((value) => isPacked(value) && this.#packer.expiredAt(value, now));
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

  /**
   * From the user's cached list (kept coherent, no round trip when held). When the list and each of its sessions are
   * held, read from the packed entries without unpacking any (the anomaly check on GET /api/session); else as the
   * devices list reads them.
   */
  async countriesForUser(userId: string, now: number): Promise<string[]> {
    const { sessions, lists } = this.#caches;
    const hashes = lists.cached(userId);
    if (hashes) {
      const countries = new Set<string>();
      let complete = true;
      for (const hash of hashes) {
        const packed = sessions.cached(hash);
        const country = packed === undefined ? undefined : this.#packer.liveCountryOf(packed, userId, now);
        if (country === undefined) {
          complete = false;
          break;
        }
        if (country !== null) countries.add(country);
      }
      if (complete) return [...countries].sort();
    }
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

/** A packed session, not the token hash that a lookup by id keeps (base64url: never a `[`). */
function isPacked(value: string): value is PackedSession {
  return value.startsWith('[');
}
