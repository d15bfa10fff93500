import { FifoMap } from './fifo-map.js';

/**
 * Remembers a pure function's results for the few distinct inputs that recur (user agents: a deployment sees a few
 * hundred, every request repeats one of them). At most `maxEntries` are kept, the oldest dropped first, so inputs an
 * attacker makes up cost one computation each and never grow memory.
 */
export class BoundedMemo<K, V> {
  readonly #compute: (key: K) => V;
  readonly #maxEntries: number;
  readonly #entries = new FifoMap<K, V>();

  constructor(compute: (key: K) => V, maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError('maxEntries must be a positive integer');
    this.#compute = compute;
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V {
    if (this.#entries.has(key)) return this.#entries.get(key) as V;
    const value = this.#compute(key);
    this.#entries.setWithin(this.#maxEntries, key, value);
    return value;
  }
}
