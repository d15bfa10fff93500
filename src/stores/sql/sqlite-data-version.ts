import type { CacheCoherence } from '../memory/tracked-cache.js';

type Listener = Parameters<CacheCoherence['listen']>[0];

/**
 * Coherence for the embedded SQLite default. `PRAGMA data_version` changes when another connection (the `heimdall`
 * CLI, a second process) commits to the file; this process's own writes go through the cache decorators, which
 * drop what they change. So a cache entry may be served as long as data_version has not moved; when it has, every
 * cache is flushed, since SQLite does not say what changed. Checking costs one pragma, no table read.
 */
export class SqliteDataVersion implements CacheCoherence {
  readonly #read: () => number;
  readonly #listeners = new Set<Listener>();
  #last: number;

  constructor(readDataVersion: () => number) {
    this.#read = readDataVersion;
    this.#last = readDataVersion();
  }

  isLive(): boolean {
    const current = this.#read();
    if (current !== this.#last) {
      this.#last = current;
      for (const listener of this.#listeners) listener.flushAll('another connection committed');
    }
    return true;
  }

  listen(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
