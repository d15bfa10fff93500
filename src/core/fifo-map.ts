/**
 * Fewest deleted slots worth a rebuild. Below it V8's own rebuilds keep a small map at most twice its size, which
 * costs little; rebuilding a 4,096-entry memo every 1,024 deletions cost more than it saved (a copy of every entry
 * per 1,024 lookups that miss).
 */
const MIN_HOLES = 8_192;

/**
 * A Map used as a bounded first-in-first-out cache: the oldest key in constant time, and a table that does not
 * double for the deleted slots such a cache leaves behind (issue 18).
 *
 * Oldest key: `map.keys().next()` is not constant time once entries keep being deleted from the front: V8 keeps a
 * deleted slot until the table is rebuilt, and every new iterator starts at slot 0 and steps over all of them (`node
 * bench/micro/map-eviction.mjs` measures both ways). One iterator kept across calls moves forward instead: Map
 * iterators are live, skip deleted entries and see entries added after them.
 *
 * Table size: V8 rebuilds a full table at twice the size unless at least half of its slots are deleted ones, so a
 * cache of 100k entries that keeps replacing entries (each touch of a session drops it, the next read stores it
 * again) ends in a table for 262,144 entries instead of 131,072: 37 bytes more per cached session in the bench. This
 * map counts the slots its deletions leave and copies its live entries into a fresh table once they are a quarter of
 * them (and at least MIN_HOLES): the copy costs O(size) once per size/4 deletions, so a deletion stays constant time
 * on average.
 */
export class FifoMap<K, V> {
  #map = new Map<K, V>();
  #keys: IterableIterator<K> | undefined;
  #holes = 0;
  readonly #minHoles: number;

  /** `minHoles`: fewest deleted slots before a rebuild (tests lower it to see rebuilds in small maps). */
  constructor(minHoles = MIN_HOLES) {
    this.#minHoles = minHoles;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** Adds the key as the newest, or replaces the value of a held key where it stands. */
  set(key: K, value: V): void {
    this.#map.set(key, value);
  }

  /**
   * set() within a bound: a new key added to a map already holding `max` entries first evicts the oldest one. Returns
   * the evicted entry, for callers that index the values elsewhere, or undefined when none was evicted.
   */
  setWithin(max: number, key: K, value: V): [K, V] | undefined {
    let evicted: [K, V] | undefined;
    if (this.#map.size >= max && !this.#map.has(key)) {
      const oldest = this.oldest();
      if (oldest !== undefined) {
        evicted = [oldest, this.#map.get(oldest) as V];
        this.delete(oldest);
      }
    }
    this.#map.set(key, value);
    return evicted;
  }

  delete(key: K): boolean {
    if (!this.#map.delete(key)) return false;
    this.#holes++;
    if (this.#holes >= this.#minHoles && this.#holes * 4 >= this.#map.size) this.#rebuild();
    return true;
  }

  /** The key inserted longest ago and still held, or undefined when empty. */
  oldest(): K | undefined {
    if (this.#map.size === 0) return undefined;
    this.#keys ??= this.#map.keys();
    let step = this.#keys.next();
    if (step.done) {
      // Only when the live iterator ran off the end (a map emptied and refilled): start over from the front.
      this.#keys = this.#map.keys();
      step = this.#keys.next();
    }
    return step.done ? undefined : step.value;
  }

  clear(): void {
    this.#map = new Map();
    this.#keys = undefined;
    this.#holes = 0;
  }

  /** Oldest first. A deletion during the walk may rebuild the table: collect what to delete, then delete it. */
  entries(): IterableIterator<[K, V]> {
    return this.#map.entries();
  }

  #rebuild(): void {
    this.#map = new Map(this.#map);
    this.#keys = undefined;
    this.#holes = 0;
  }
}
