import type { Clock } from './clock.js';

/** A revoked API token family: access tokens naming it as `sid` are refused until `deniedUntil`. */
export interface DeniedFamily {
  sessionId: string;
  deniedUntil: number;
}

/** Port: the shared record of revoked families, so that every instance learns of a revocation. */
export interface DenyListStore {
  /** Records (or extends) a denial. */
  add(entry: DeniedFamily): Promise<void>;
  /** Denials still in force at `now`. */
  listActive(now: number): Promise<DeniedFamily[]>;
  pruneExpired(now: number): Promise<number>;
}

export interface DenyListOptions {
  store: DenyListStore;
  clock: Clock;
  /** How long a denial is kept: the longest access-token lifetime plus slack. */
  holdMs: number;
}

/**
 * The `sid` deny list that lets revocation reach access JWTs before they expire, checked on every Bearer request
 * from memory (no database round trip). A denial made here is in force on this instance at once and written to
 * the store; other instances merge the store's active denials on each sync(). Denials are only ever added, never
 * withdrawn, so merging is safe in any order and a sync can never undo a local denial.
 */
export class DenyList {
  readonly #store: DenyListStore;
  readonly #clock: Clock;
  readonly #holdMs: number;
  readonly #entries = new Map<string, number>();

  constructor(options: DenyListOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#holdMs = options.holdMs;
  }

  /** Denies the family's access tokens from now until every one of them has expired. */
  async deny(sessionId: string): Promise<void> {
    const deniedUntil = this.#clock.now() + this.#holdMs;
    this.#remember(sessionId, deniedUntil);
    await this.#store.add({ sessionId, deniedUntil });
  }

  /** Hot path: a Map lookup. */
  isDenied(sessionId: string): boolean {
    const until = this.#entries.get(sessionId);
    if (until === undefined) return false;
    if (this.#clock.now() < until) return true;
    this.#entries.delete(sessionId);
    return false;
  }

  /** Merges denials made by other instances. */
  async sync(): Promise<void> {
    for (const entry of await this.#store.listActive(this.#clock.now()))
      this.#remember(entry.sessionId, entry.deniedUntil);
  }

  /** Forgets expired denials here and in the store. */
  async prune(): Promise<number> {
    const now = this.#clock.now();
    for (const [sessionId, until] of this.#entries) if (until <= now) this.#entries.delete(sessionId);
    return this.#store.pruneExpired(now);
  }

  #remember(sessionId: string, deniedUntil: number): void {
    const known = this.#entries.get(sessionId);
    if (known === undefined || known < deniedUntil) this.#entries.set(sessionId, deniedUntil);
  }
}
