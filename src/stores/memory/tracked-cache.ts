import { FifoMap } from '../../core/fifo-map.js';

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
   * Safety net, not the coherence mechanism: no entry older than this is served (entries live between half of it and
   * all of it), which bounds the life of an entry whose invalidation was lost to a bug or an unforeseen case. Default
   * 5 minutes; 0 keeps nothing.
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

/** One shared, frozen "depends on nothing" for the plain entries (most of them). */
const NO_DEPENDENCIES: string[] = Object.freeze([]) as unknown as string[];

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
 *
 * Entries carry no timestamp (issue 18: an entry object per value was 48 bytes of every cached session): values are
 * stored in the map of the current window, half of `maxAgeMs` long; when a window ends its map becomes the previous
 * one and the previous one is dropped whole. So an entry is served for at least half of `maxAgeMs` and never past it.
 */
export class TrackedCache<T> {
  readonly #coherence: CacheCoherence;
  readonly #maxEntries: number;
  readonly #windowMs: number;
  /**
   * Values stored in the current window, and in the one before; when the cache is full, the previous window's oldest
   * entry goes first, then the current's.
   */
  #young = new FifoMap<string, T>();
  #old = new FifoMap<string, T>();
  #windowStart = Date.now();
  /** What each composite entry was built from; a plain entry (nearly all) has no record here. */
  readonly #dependsOn = new Map<string, readonly string[]>();
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
    this.#windowMs = (options.maxAgeMs ?? 5 * 60_000) / 2;
    const localKey = options.localKey;
    this.#unlisten = coherence.listen({
      invalidate: localKey ? (key) => this.invalidate(localKey(key)) : (key) => this.invalidate(key),
      flushAll: () => this.flush(),
    });
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /** The most entries it holds (`maxEntries`). */
  get capacity(): number {
    return this.#maxEntries;
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
    return this.#young.get(key) ?? this.#old.get(key);
  }

  /** As get(), for a value built from other keys too: a change of any of them drops it. */
  getComposite(key: string, load: () => Promise<Composite<T> | null>): Promise<T | null> {
    return this.#read(key, true, load);
  }

  stats(): CacheStats {
    return {
      entries: this.size,
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
  invalidateWhere(predicate: (value: T, key: string) => boolean): void {
    const doomed: string[] = [];
    for (const generation of [this.#young, this.#old]) {
      for (const [key, value] of generation.entries()) if (predicate(value, key)) doomed.push(key);
    }
    for (const key of doomed) this.invalidate(key);
  }

  flush(): void {
    this.#epoch++;
    this.#flushes++;
    this.#young.clear();
    this.#old.clear();
    this.#dependsOn.clear();
    this.#dependents.clear();
    for (const tickets of this.#inFlight.values()) for (const ticket of tickets) ticket.stale = true;
  }

  close(): void {
    this.#unlisten();
    this.flush();
  }

  /**
   * The value held under the key when entries may be served (a hit, counted), else undefined; never loads. For
   * callers that answer a hit without a promise of their own.
   */
  cached(key: string): T | undefined {
    if (!this.#coherence.isLive()) return undefined;
    this.#age();
    const cached = this.#young.get(key) ?? this.#old.get(key);
    if (cached !== undefined) this.#hits++;
    return cached;
  }

  async #read(key: string, composite: boolean, load: () => Promise<Composite<T> | null>): Promise<T | null> {
    const cached = this.cached(key);
    if (cached !== undefined) return cached;
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

  /** Ends the windows that are over: the previous window's entries go, the current's become the previous. */
  #age(): void {
    if (!(this.#windowMs > 0)) return; // maxAgeMs 0: nothing is ever stored, so nothing ages
    const ended = Math.floor((Date.now() - this.#windowStart) / this.#windowMs);
    if (ended < 1) return;
    this.#windowStart += ended * this.#windowMs;
    this.#forgetDependencies(this.#old);
    if (ended === 1) {
      this.#old = this.#young;
    } else {
      this.#forgetDependencies(this.#young);
      this.#old = new FifoMap();
    }
    this.#young = new FifoMap();
  }

  #store(key: string, loaded: Composite<T>): void {
    if (!(this.#windowMs > 0)) return;
    this.#age();
    this.#remove(key);
    if (this.size >= this.#maxEntries) {
      const oldest = this.#old.size > 0 ? this.#old.oldest() : this.#young.oldest();
      if (oldest !== undefined) this.#remove(oldest);
    }
    this.#young.set(key, loaded.value);
    if (loaded.dependsOn.length === 0) return;
    this.#dependsOn.set(key, loaded.dependsOn);
    for (const dep of loaded.dependsOn) {
      const dependents = this.#dependents.get(dep);
      if (dependents === undefined) this.#dependents.set(dep, key);
      else if (typeof dependents === 'string') {
        if (dependents !== key) this.#dependents.set(dep, new Set([dependents, key]));
      } else dependents.add(key);
    }
  }

  #remove(key: string): boolean {
    if (!this.#young.delete(key) && !this.#old.delete(key)) return false;
    this.#unlink(key);
    return true;
  }

  /** Before a generation is dropped: its composite entries' dependency records go with it. */
  #forgetDependencies(generation: FifoMap<string, T>): void {
    if (this.#dependsOn.size === 0) return;
    for (const key of [...this.#dependsOn.keys()]) if (generation.has(key)) this.#unlink(key);
  }

  #unlink(key: string): void {
    const dependsOn = this.#dependsOn.get(key);
    if (!dependsOn) return;
    this.#dependsOn.delete(key);
    for (const dep of dependsOn) {
      const dependents = this.#dependents.get(dep);
      if (dependents === key) this.#dependents.delete(dep);
      else if (typeof dependents === 'object') {
        dependents.delete(key);
        if (dependents.size === 0) this.#dependents.delete(dep);
      }
    }
  }
}
