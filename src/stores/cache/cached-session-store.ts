import type { Session, SessionActivity, SessionStore } from '../../core/session.js';
import type { TrackedCache } from './tracked-cache.js';

/**
 * SessionStore decorator: serves findByTokenHash (the lookup every authenticated request makes) from memory while
 * the cache's coherence says entries are current. Writes go to the inner store first and then drop the entry; the
 * entry is refilled by the next read, never written from our side, because with Redis only a read makes the
 * server track a key for us (and so tell us when another instance changes it).
 */
export class CachedSessionStore implements SessionStore {
  readonly #inner: SessionStore;
  readonly #cache: TrackedCache<Session>;
  readonly #keyOf: (tokenHash: string) => string;

  constructor(inner: SessionStore, cache: TrackedCache<Session>, keyOf: (tokenHash: string) => string) {
    this.#inner = inner;
    this.#cache = cache;
    this.#keyOf = keyOf;
  }

  async insert(session: Session): Promise<void> {
    await this.#inner.insert(session);
    this.#cache.invalidate(this.#keyOf(session.tokenHash));
  }

  findByTokenHash(tokenHash: string): Promise<Session | null> {
    return this.#cache.get(this.#keyOf(tokenHash), () => this.#inner.findByTokenHash(tokenHash));
  }

  findById(id: string): Promise<Session | null> {
    return this.#inner.findById(id);
  }

  async touch(tokenHash: string, activity: SessionActivity): Promise<void> {
    await this.#inner.touch(tokenHash, activity);
    this.#cache.invalidate(this.#keyOf(tokenHash));
  }

  async delete(tokenHash: string): Promise<boolean> {
    const key = this.#keyOf(tokenHash);
    this.#cache.invalidate(key);
    try {
      return await this.#inner.delete(tokenHash);
    } finally {
      this.#cache.invalidate(key);
    }
  }

  listForUser(userId: string): Promise<Session[]> {
    return this.#inner.listForUser(userId);
  }

  async deleteAllForUser(userId: string, exceptTokenHash?: string): Promise<number> {
    const drop = () => this.#cache.invalidateWhere((s) => s.userId === userId && s.tokenHash !== exceptTokenHash);
    drop();
    try {
      return await this.#inner.deleteAllForUser(userId, exceptTokenHash);
    } finally {
      drop();
    }
  }

  async pruneExpired(now: number): Promise<number> {
    const pruned = await this.#inner.pruneExpired(now);
    if (pruned > 0) this.#cache.invalidateWhere((s) => now >= s.idleExpiresAt || now >= s.absoluteExpiresAt);
    return pruned;
  }

  ping(): Promise<void> {
    return this.#inner.ping();
  }

  async close(): Promise<void> {
    this.#cache.close();
    await this.#inner.close();
  }
}
