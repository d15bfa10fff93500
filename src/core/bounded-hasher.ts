import { HeimdallError } from './errors.js';
import type { PasswordHasher } from './passwords.js';

export interface HashSchedule {
  /** Hashes (or verifies) running at once: PASSWORD_HASH_CONCURRENCY, by default the cores. */
  concurrency: number;
  /** Hashes waiting for a free slot: PASSWORD_HASH_QUEUE. Beyond it a request is shed with 503. */
  queue: number;
}

/** What the scheduler holds right now (metrics, tests). */
export interface HashLoad {
  running: number;
  queued: number;
  shed: number;
}

type Waiter = () => void;

/** Running average of a hash's wall time, for `Retry-After` (start: 50 ms, argon2id's defaults on a slow core). */
const INITIAL_HASH_MS = 50;

/**
 * Schedules every password hash and verify (sign-in, the unknown-email dummy, registration, reset, token grant,
 * re-authentication) through one bounded queue: at most `concurrency` at once, at most `queue` waiting, and the rest
 * refused with 503 `service_unavailable` and a `Retry-After` sized from the queue's drain time. Reads never hash, so
 * they never wait here. The dummy verify of an unknown email takes the same slot and the same queue as a real one:
 * a full queue answers both alike.
 */
export class BoundedHasher implements PasswordHasher {
  readonly #inner: PasswordHasher;
  readonly #schedule: HashSchedule;
  readonly #waiting: Waiter[] = [];
  #running = 0;
  #shed = 0;
  #averageMs = INITIAL_HASH_MS;

  constructor(inner: PasswordHasher, schedule: HashSchedule) {
    if (schedule.concurrency < 1 || schedule.queue < 0) throw new RangeError('concurrency ≥ 1 and queue ≥ 0');
    this.#inner = inner;
    this.#schedule = schedule;
  }

  get load(): HashLoad {
    return { running: this.#running, queued: this.#waiting.length, shed: this.#shed };
  }

  hash(password: string): Promise<string> {
    return this.#run(() => this.#inner.hash(password));
  }

  verify(passwordHash: string, password: string): Promise<boolean> {
    return this.#run(() => this.#inner.verify(passwordHash, password));
  }

  verifyDummy(password: string): Promise<void> {
    return this.#run(() => this.#inner.verifyDummy(password));
  }

  async #run<T>(work: () => Promise<T>): Promise<T> {
    await this.#slot();
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.#averageMs = this.#averageMs * 0.9 + (performance.now() - started) * 0.1;
      this.#release();
    }
  }

  /** Takes a running slot now, or waits in the queue for one, or is refused when the queue is full. */
  #slot(): Promise<void> {
    if (this.#running < this.#schedule.concurrency) {
      this.#running += 1;
      return Promise.resolve();
    }
    if (this.#waiting.length >= this.#schedule.queue) {
      this.#shed += 1;
      return Promise.reject(this.#refusal());
    }
    // The slot passes straight from the releasing hash to the first waiter (#running stays counted).
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running -= 1;
  }

  #refusal(): HeimdallError {
    const drainMs = ((this.#waiting.length + this.#running) / this.#schedule.concurrency) * this.#averageMs;
    return new HeimdallError('service_unavailable', 'Too many sign-ins at once; try again shortly.', {
      details: { retryAfterSeconds: Math.max(1, Math.ceil(drainMs / 1000)) },
    });
  }
}
