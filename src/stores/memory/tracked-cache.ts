import { OldestKey } from '../../core/oldest-key.js';

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
  /**
   * The cache's key for a key its coherence names, when they differ (the Redis session cache holds each session under
   * its bare token hash, the very string the session carries, not under `hd:s:{hash}`: one string less per entry).
   */
  localKey?: (coherenceKey: string) => string;
}

/** Counters for benchmarks and operators: how often memory answered, and how often coherence took entries away. */
export interface CacheStats {
  entries: number;
  hits: number;
  misses: number;
  invalidations: number;
  flushes: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** One shared, frozen "depends on nothing" for the plain entries (most of them): an array less per entry. */
const NO_DEPENDENCIES: string[] = Object.freeze([]) as unknown as string[];

interface Entry<T> {
  value: T;
  /** Whole seconds (a small integer V8 keeps in the field itself, not a 16-byte heap number per entry). */
  storedAt: number;
  /** Other keys whose change also invalidates this entry (a list depends on each listed record). */
  dependsOn: string[];
}

interface Ticket {
  stale: boolean;
  /** For fills with dependencies: every key invalidated while the fill was in flight. */
  seen?: Set<string>;
}

/** A value and the keys it was built from. */
export interface Composite<T> {
  value: T;
  dependsOn: string[];
}

/**
 * An in-process map of decoded values kept coherent by a CacheCoherence. A value read from the source is stored
 * only if nothing invalidated its key (or one of its dependencies, or flushed everything) while the read was in
 * flight, so a revocation that races a cache fill can never be undone by the fill.
 */
export class TrackedCache<T> {
  readonly #coherence: CacheCoherence;
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #entries = new Map<string, Entry<T>>();
  /** Which entry goes first when the cache is full, in constant time (issue 18). */
  readonly #oldest = new OldestKey(this.#entries);
  /**
   * Entries built from each key: the one key itself when there is one (nearly always: a session is in one user's
   * list), a set only when there are more, which saves a Set per listed session (issue 18).
   */
  readonly #dependents = new Map<string, string | Set<string>>();
  readonly #inFlight = new Map<string, Set<Ticket>>();
  readonly #collecting = new Set<Ticket>();
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
    const localKey = options.localKey;
    this.#unlisten = coherence.listen({
      invalidate: localKey ? (key) => this.invalidate(localKey(key)) : (key) => this.invalidate(key),
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
  get(key: string, load: () => Promise<T | null>): Promise<T | null> {
    return this.#read(key, false, async () => {
      const value = await load();
      return value === null ? null : { value, dependsOn: NO_DEPENDENCIES };
    });
  }

  /**
   * The value held under the key, if any, without loading, counting a hit or asking coherence. Only for sharing an
   * object equal to one just read from the source (so that two caches hold one copy), never for serving.
   */
  peek(key: string): T | undefined {
    return this.#entries.get(key)?.value;
  }

  /** As get(), for a value built from other keys too: a change of any of them drops it. */
  getComposite(key: string, load: () => Promise<Composite<T> | null>): Promise<T | null> {
    return this.#read(key, true, load);
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

  /** Drops the entry, every entry built from it, and spoils fills of either in flight. */
  invalidate(key: string): void {
    if (this.#remove(key)) this.#invalidations++;
    const tickets = this.#inFlight.get(key);
    if (tickets) for (const ticket of tickets) ticket.stale = true;
    for (const ticket of this.#collecting) ticket.seen!.add(key);
    const dependents = this.#dependents.get(key);
    if (typeof dependents === 'string') {
      if (this.#remove(dependents)) this.#invalidations++;
    } else if (dependents) for (const dependent of [...dependents]) if (this.#remove(dependent)) this.#invalidations++;
  }

  /** Drops every entry matching the predicate (for writes that touch many keys at once). */
  invalidateWhere(predicate: (value: T) => boolean): void {
    for (const [key, entry] of this.#entries) if (predicate(entry.value)) this.invalidate(key);
  }

  flush(): void {
    this.#epoch++;
    this.#flushes++;
    this.#entries.clear();
    this.#oldest.reset();
    this.#dependents.clear();
    for (const tickets of this.#inFlight.values()) for (const ticket of tickets) ticket.stale = true;
  }

  close(): void {
    this.#unlisten();
    this.flush();
  }

  async #read(key: string, composite: boolean, load: () => Promise<Composite<T> | null>): Promise<T | null> {
    if (this.#coherence.isLive()) {
      const cached = this.#entries.get(key);
      if (cached !== undefined && (nowSeconds() - cached.storedAt) * 1000 < this.#maxAgeMs) {
        this.#hits++;
        return cached.value;
      }
    }
    this.#misses++;
    const live = this.#coherence.isLive();
    const epoch = this.#epoch;
    const ticket: Ticket = composite ? { stale: false, seen: new Set() } : { stale: false };
    let tickets = this.#inFlight.get(key);
    if (!tickets) {
      tickets = new Set();
      this.#inFlight.set(key, tickets);
    }
    tickets.add(ticket);
    if (composite) this.#collecting.add(ticket);
    try {
      const loaded = await load();
      // Re-checking isLive() lets a SQLite coherence notice a commit that landed during the read.
      const current = live && this.#coherence.isLive() && !ticket.stale && epoch === this.#epoch;
      if (loaded !== null && current && !loaded.dependsOn.some((dep) => ticket.seen?.has(dep))) {
        this.#store(key, loaded);
      }
      return loaded?.value ?? null;
    } finally {
      tickets.delete(ticket);
      if (tickets.size === 0) this.#inFlight.delete(key);
      this.#collecting.delete(ticket);
    }
  }

  #store(key: string, loaded: Composite<T>): void {
    this.#remove(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#oldest.next();
      if (oldest !== undefined) this.#remove(oldest);
    }
    this.#entries.set(key, { value: loaded.value, storedAt: nowSeconds(), dependsOn: loaded.dependsOn });
    for (const dep of loaded.dependsOn) {
      const dependents = this.#dependents.get(dep);
      if (dependents === undefined) this.#dependents.set(dep, key);
      else if (typeof dependents === 'string') {
        if (dependents !== key) this.#dependents.set(dep, new Set([dependents, key]));
      } else dependents.add(key);
    }
  }

  #remove(key: string): boolean {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    this.#entries.delete(key);
    for (const dep of entry.dependsOn) {
      const dependents = this.#dependents.get(dep);
      if (dependents === key) this.#dependents.delete(dep);
      else if (typeof dependents === 'object') {
        dependents.delete(key);
        if (dependents.size === 0) this.#dependents.delete(dep);
      }
    }
    return true;
  }
}
