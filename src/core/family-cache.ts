import type { Clock } from './clock.js';
import type { Session } from './session.js';

export interface FamilyCacheOptions {
  clock: Clock;
  /** How stale a cached record may get (lastSeenAt, ip); revocation does not depend on it. */
  ttlMs?: number;
  maxEntries?: number;
}

/**
 * API token family records by id, kept in memory so that a Bearer request needs no session-store read. Safe to
 * serve stale because revocation never relies on it: a revoked family is on the deny list, a family ended with all
 * of a user's sessions fails the sessionVersion check against the freshly read user, and access tokens never
 * outlive their family's absolute expiry.
 */
export class FamilyCache {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, { session: Session; until: number }>();

  constructor(options: FamilyCacheOptions) {
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  get(id: string): Session | null {
    const entry = this.#entries.get(id);
    if (!entry) return null;
    if (this.#clock.now() < entry.until) return entry.session;
    this.#entries.delete(id);
    return null;
  }

  set(session: Session): void {
    this.#entries.delete(session.id);
    if (this.#entries.size >= this.#maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(session.id, { session, until: this.#clock.now() + this.#ttlMs });
  }
}
