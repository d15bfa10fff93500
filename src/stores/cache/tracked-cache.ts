/**
 * Where a cache learns that what it holds may be stale. Redis: tracking pushes, and flushes whenever the link may
 * have missed some. SQLite: a change of `PRAGMA data_version` (another connection committed).
 */
export interface CacheCoherence {
  /**
   * True when entries may be served. May flush first (SQLite checks data_version here); false means "read the
   * source of truth" (Redis: the invalidation channel is down or not yet proven live).
   */
  isLive(): boolean;
  /** Registers for single-key invalidations and whole flushes; returns the unsubscribe function. */
  listen(listener: { invalidate(key: string): void; flushAll(reason: string): void }): () => void;
}

export interface TrackedCacheOptions {
  /** Upper bound on entries; the oldest is dropped first. */
  maxEntries: number;
  /**
   * Safety net, not the coherence mechanism: an entry older than this is read again from the source, which bounds
   * the life of an entry whose invalidation was lost to a bug or an unforeseen case. Default 5 minutes.
   */
  maxAgeMs?: number;
}

interface Entry<T> {
  value: T;
  storedAt: number;
}

/** Counters for benchmarks and operators: how often memory answered, and how often coherence took entries away. */
export interface CacheStats {
  entries: number;
  hits: number;
  misses: number;
  invalidations: number;
  flushes: number;
}

interface Ticket {
  stale: boolean;
}

/**
 * An in-process map of decoded values kept coherent by a CacheCoherence. A value read from the source is stored
 * only if nothing invalidated its key (or flushed everything) while the read was in flight, so a revocation that
 * races a cache fill can never be undone by the fill.
 */
export class TrackedCache<T> {
  readonly #coherence: CacheCoherence;
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #entries = new Map<string, Entry<T>>();
  readonly #inFlight = new Map<string, Set<Ticket>>();
  readonly #unlisten: () => void;
  #epoch = 0;
  #hits = 0;
  #misses = 0;
  #invalidations = 0;
  #flushes = 0;

  constructor(coherence: CacheCoherence, options: TrackedCacheOptions) {
    this.#coherence = coherence;
    this.#maxEntries = options.maxEntries;
    this.#maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.#unlisten = coherence.listen({
      invalidate: (key) => this.invalidate(key),
      flushAll: () => this.flush(),
    });
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The cached value, or `load()`'s result, stored when it is still current. `null` results are not cached: a
   * miss costs a read, and garbage cookies cannot fill memory.
   */
  async get(key: string, load: () => Promise<T | null>): Promise<T | null> {
    if (this.#coherence.isLive()) {
      const cached = this.#entries.get(key);
      if (cached !== undefined && Date.now() - cached.storedAt < this.#maxAgeMs) {
        this.#hits++;
        return cached.value;
      }
    }
    this.#misses++;
    const live = this.#coherence.isLive();
    const epoch = this.#epoch;
    const ticket: Ticket = { stale: false };
    let tickets = this.#inFlight.get(key);
    if (!tickets) {
      tickets = new Set();
      this.#inFlight.set(key, tickets);
    }
    tickets.add(ticket);
    try {
      const value = await load();
      // Re-checking isLive() lets a SQLite coherence notice a commit that landed during the read.
      if (value !== null && live && this.#coherence.isLive() && !ticket.stale && epoch === this.#epoch) {
        this.#store(key, value);
      }
      return value;
    } finally {
      tickets.delete(ticket);
      if (tickets.size === 0) this.#inFlight.delete(key);
    }
  }

  /** Write-through after a successful write of our own: replaces the entry and spoils fills in flight. */
  put(key: string, value: T): void {
    this.invalidate(key);
    if (this.#coherence.isLive()) this.#store(key, value);
  }

  stats(): CacheStats {
    return {
      entries: this.#entries.size,
      hits: this.#hits,
      misses: this.#misses,
      invalidations: this.#invalidations,
      flushes: this.#flushes,
    };
  }

  invalidate(key: string): void {
    if (this.#entries.delete(key)) this.#invalidations++;
    const tickets = this.#inFlight.get(key);
    if (tickets) for (const ticket of tickets) ticket.stale = true;
  }

  /** Drops every entry matching the predicate (for writes that touch many keys at once). */
  invalidateWhere(predicate: (value: T) => boolean): void {
    for (const [key, entry] of this.#entries) if (predicate(entry.value)) this.invalidate(key);
  }

  flush(): void {
    this.#epoch++;
    this.#flushes++;
    this.#entries.clear();
    for (const tickets of this.#inFlight.values()) for (const ticket of tickets) ticket.stale = true;
  }

  close(): void {
    this.#unlisten();
    this.flush();
  }

  #store(key: string, value: T): void {
    if (!this.#entries.has(key) && this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, storedAt: Date.now() });
  }
}
