/**
 * The oldest key of a Map (insertion order), found in constant time for maps used as bounded first-in-first-out
 * caches.
 *
 * `map.keys().next()` is not constant time once entries keep being deleted from the front: V8 keeps a deleted slot
 * until the table is rebuilt, and every new iterator starts at slot 0 and steps over all of them. A cache that drops
 * its oldest entry on every insert then pays for every entry it dropped since the last rebuild, more the larger it
 * is (`node bench/micro/map-eviction.mjs` measures both ways; issue 18). One iterator kept across calls moves
 * forward instead: Map iterators are live, skip deleted entries and see entries added after them,
 * and V8 carries them across a rebuild.
 *
 * The caller deletes every key this returns (before the next call) and calls `reset()` after `map.clear()`.
 */
export class OldestKey<K> {
  readonly #map: Map<K, unknown>;
  #keys: IterableIterator<K> | undefined;

  constructor(map: Map<K, unknown>) {
    this.#map = map;
  }

  /** The key inserted longest ago and still present, or undefined for an empty map. */
  next(): K | undefined {
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

  /** Forgets the iterator (after `clear()`, so the next call starts from the new front). */
  reset(): void {
    this.#keys = undefined;
  }
}
