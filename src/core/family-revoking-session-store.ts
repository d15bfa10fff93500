import type { DenyList } from './deny-list.js';
import type { Session, SessionActivity, SessionProof, SessionStore } from './session.js';

/**
 * SessionStore decorator: whenever an API token family (a session of kind `api`) is deleted — by its own revoke,
 * reuse detection, DELETE /api/sessions/:id, revoke-others, logout, sign-out everywhere, a password change or an
 * administrator — its id goes on the deny list before the record goes, so its access JWTs die with it. Every way
 * of ending a session passes through delete() or deleteAllForUser(), so none can forget to do this.
 */
export class FamilyRevokingSessionStore implements SessionStore {
  readonly #inner: SessionStore;
  readonly #denyList: DenyList;

  constructor(inner: SessionStore, denyList: DenyList) {
    this.#inner = inner;
    this.#denyList = denyList;
  }

  insert(session: Session): Promise<void> {
    return this.#inner.insert(session);
  }

  findByTokenHash(tokenHash: string): Promise<Session | null> {
    return this.#inner.findByTokenHash(tokenHash);
  }

  findById(id: string): Promise<Session | null> {
    return this.#inner.findById(id);
  }

  touch(tokenHash: string, activity: SessionActivity): Promise<void> {
    return this.#inner.touch(tokenHash, activity);
  }

  update(tokenHash: string, proof: SessionProof): Promise<boolean> {
    return this.#inner.update(tokenHash, proof);
  }

  async delete(tokenHash: string): Promise<boolean> {
    const session = await this.#inner.findByTokenHash(tokenHash);
    if (session?.kind === 'api') await this.#denyList.deny(session.id);
    return this.#inner.delete(tokenHash);
  }

  listForUser(userId: string): Promise<Session[]> {
    return this.#inner.listForUser(userId);
  }

  async deleteAllForUser(userId: string, exceptTokenHash?: string): Promise<number> {
    const sessions = await this.#inner.listForUser(userId);
    for (const session of sessions) {
      if (session.kind === 'api' && session.tokenHash !== exceptTokenHash) await this.#denyList.deny(session.id);
    }
    return this.#inner.deleteAllForUser(userId, exceptTokenHash);
  }

  /** Expired families need no denial: their access tokens never outlive them. */
  pruneExpired(now: number): Promise<number> {
    return this.#inner.pruneExpired(now);
  }

  /** The trimmed families are denied right after their records go (a sign-in trims; no request waits on it). */
  async trimForUser(userId: string, keep: number): Promise<Session[]> {
    const trimmed = await this.#inner.trimForUser(userId, keep);
    for (const session of trimmed) if (session.kind === 'api') await this.#denyList.deny(session.id);
    return trimmed;
  }

  countriesForUser(userId: string, now: number): Promise<string[]> {
    return this.#inner.countriesForUser(userId, now);
  }

  ping(): Promise<void> {
    return this.#inner.ping();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
