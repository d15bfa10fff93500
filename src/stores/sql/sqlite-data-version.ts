import type { CacheCoherence } from '../memory/tracked-cache.js';

type Listener = Parameters<CacheCoherence['listen']>[0];

/**
 * Coherence for the embedded SQLite default. `PRAGMA data_version` changes when another connection (the `heimdall`
 * CLI, a second process) commits to the file; this process's own writes go through the cache decorators, which
 * drop what they change. So a cache entry may be served as long as data_version has not moved; when it has, every
 * cache is flushed, since SQLite does not say what changed. Checking costs one pragma, no table read.
 *
 * One check per callback chain: the first isLive() of a task (a socket's data, a timer) reads the pragma and the
 * answer holds until the task's promise jobs have run, so the cache reads of one GET /api/session cost one pragma,
 * not one each (issue 18: a tenth of that request's CPU). Whatever such a task serves was received before it began,
 * so a commit that lands during it is concurrent with those requests, and the next task checks again.
 *
 * "Until the promise jobs have run" takes two hops: a promise job queues the `process.nextTick` that forgets the
 * answer. Node runs every queued tick before the promise jobs, so a tick queued at once, from a check made inside a
 * tick callback (Fastify runs route hooks there), forgot the answer before the request's next `await` resumed, and
 * GET /api/session read the pragma twice; queued from a promise job, it runs once all of them have.
 */
export class SqliteDataVersion implements CacheCoherence {
  readonly #read: () => number;
  readonly #listeners = new Set<Listener>();
  #last: number;
  #checked = false;
  readonly #forget = () => {
    this.#checked = false;
  };
  readonly #forgetAfterPromiseJobs = () => {
    process.nextTick(this.#forget);
  };

  constructor(readDataVersion: () => number) {
    this.#read = readDataVersion;
    this.#last = readDataVersion();
  }

  isLive(): boolean {
    if (this.#checked) return true;
    this.#checked = true;
    queueMicrotask(this.#forgetAfterPromiseJobs);
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
