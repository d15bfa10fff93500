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
  /** Sessions by token hash, and by public id (API token families on every Bearer request). */
  sessions: TrackedCache<Session>;
  /** Each user's session list (devices list, anomaly checks on every GET /api/session). */
  lists: TrackedCache<Session[]>;
  /** The coherence key of a session (Redis: `hd:s:{tokenHash}`). */
  sessionKey: (tokenHash: string) => string;
  /** The coherence key of a user's session index (Redis: `hd:us:{userId}`). */
  listKey: (userId: string) => string;
  /** The coherence key of a session's public id (Redis: `hd:sid:{id}`, the id → token hash index). */
  idKey: (id: string) => string;
}

/** Distinct strings kept for sharing; beyond it the oldest is forgotten (a copy then lives on in its sessions). */
const INTERNED_STRINGS = 16_384;

/**
 * One copy of each string that many cached sessions repeat (issue 18): a user's id across their sessions, the client
 * addresses, countries, user agents and what is parsed from them. Made-up values cost one entry each and are
 * forgotten first.
 */
export class StringPool {
  readonly #strings = new BoundedMemo<string, string>((s) => s, INTERNED_STRINGS);

  intern<S extends string | null>(value: S): S {
    return (value === null ? value : this.#strings.get(value)) as S;
  }

  session(s: Session): Session {
    return {
      ...s,
      userId: this.intern(s.userId),
      ip: this.intern(s.ip),
      userAgent: this.intern(s.userAgent),
      browser: this.intern(s.browser),
      os: this.intern(s.os),
      country: this.intern(s.country),
      provider: this.intern(s.provider),
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
 * caches' coherence says entries are current. A lookup by id depends on the session it found, and a list on its
 * user's index and on each listed session, so adding, touching or deleting any of them drops it — whoever does it:
 * a change made outside Heimdall (SQL, redis-cli) reaches these entries through the same coherence (issue 15).
 * Writes go to the inner store first and then drop what they changed; entries are refilled by the next read,
 * never written from our side, because with Redis only a read makes the server track a key for us.
 */
export class CachedSessionStore implements SessionStore {
  readonly #inner: SessionStore;
  readonly #caches: SessionCaches;
  readonly #strings = new StringPool();

  constructor(inner: SessionStore, caches: SessionCaches) {
    this.#inner = inner;
    this.#caches = caches;
  }

  async insert(session: Session): Promise<void> {
    await this.#inner.insert(session);
    this.#drop(this.#caches.sessionKey(session.tokenHash), this.#caches.listKey(session.userId));
  }

  findByTokenHash(tokenHash: string): Promise<Session | null> {
    const { sessions, lists, sessionKey, listKey } = this.#caches;
    return sessions.get(sessionKey(tokenHash), async () => {
      const found = await this.#inner.findByTokenHash(tokenHash);
      if (!found) return null;
      const session = this.#strings.session(found);
      return oneCopy(
        lists.peek(listKey(session.userId))?.find((s) => s.tokenHash === tokenHash),
        session,
      );
    });
  }

  findById(id: string): Promise<Session | null> {
    const { sessions, sessionKey, idKey } = this.#caches;
    return sessions.getComposite(idKey(id), async () => {
      const found = await this.#inner.findById(id);
      if (!found) return null;
      const session = this.#strings.session(found);
      const key = sessionKey(session.tokenHash);
      return { value: oneCopy(sessions.peek(key), session), dependsOn: [key] };
    });
  }

  async touch(tokenHash: string, activity: SessionActivity): Promise<void> {
    await this.#inner.touch(tokenHash, activity);
    this.#drop(this.#caches.sessionKey(tokenHash));
  }

  async update(tokenHash: string, proof: SessionProof): Promise<boolean> {
    try {
      return await this.#inner.update(tokenHash, proof);
    } finally {
      this.#drop(this.#caches.sessionKey(tokenHash));
    }
  }

  async delete(tokenHash: string): Promise<boolean> {
    const key = this.#caches.sessionKey(tokenHash);
    this.#drop(key);
    try {
      return await this.#inner.delete(tokenHash);
    } finally {
      this.#drop(key);
    }
  }

  async listForUser(userId: string): Promise<Session[]> {
    const { lists, sessionKey, listKey } = this.#caches;
    const listed = await lists.getComposite(listKey(userId), async () => {
      const sessions = (await this.#inner.listForUser(userId)).map((session) =>
        oneCopy(this.#caches.sessions.peek(sessionKey(session.tokenHash)), this.#strings.session(session)),
      );
      return { value: sessions, dependsOn: sessions.map((s) => sessionKey(s.tokenHash)) };
    });
    // A copy: callers may sort or filter what they get.
    return [...(listed ?? [])];
  }

  async deleteAllForUser(userId: string, exceptTokenHash?: string): Promise<number> {
    const drop = () => {
      this.#caches.sessions.invalidateWhere((s) => s.userId === userId && s.tokenHash !== exceptTokenHash);
      this.#drop(this.#caches.listKey(userId));
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
      this.#drop(this.#caches.listKey(userId), ...trimmed.map((s) => this.#caches.sessionKey(s.tokenHash)));
    }
    return trimmed;
  }

  countriesForUser(userId: string, now: number): Promise<string[]> {
    const listed = this.#caches.lists.peek(this.#caches.listKey(userId));
    return listed ? Promise.resolve(liveCountries(listed, now)) : this.#inner.countriesForUser(userId, now);
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
