/**
 * Deadlines for calls to a store, so that a request to a store that stopped answering (a paused Redis, a network
 * that drops packets without closing the connection) fails closed with 503 instead of waiting for ever (issue 18).
 *
 * node-redis's own per-command `timeout` does not do this: it covers a command only until it is written to the socket,
 * and a command waiting for its reply is never timed out. It also costs, per command, an `AbortSignal.timeout()`
 * that cannot be cancelled and fires two seconds later whether or not the reply came, building a DOMException with a
 * stack trace: profiled under the cache-memory bench (100,000 sessions, mostly cache misses), the largest single cost
 * on the server after garbage collection.
 *
 * Here every command sent within one short window shares one timer: when the window's first command has waited
 * `timeoutMs + windowMs`, every command of the window still unanswered fails. So each command gets at least `timeoutMs`
 * and at most `timeoutMs + windowMs`, for one timer per window in use and a set entry per command.
 */
export class SharedDeadlines {
  readonly #timedOut: (timeoutMs: number) => Error;
  readonly #timeoutMs: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #window: Window | undefined;

  /** `timedOut` makes the failure of a call whose deadline passed (once per window). */
  constructor(
    timeoutMs: number,
    timedOut: (timeoutMs: number) => Error,
    options: { windowMs?: number; now?: () => number } = {},
  ) {
    this.#timedOut = timedOut;
    this.#timeoutMs = timeoutMs;
    this.#windowMs = options.windowMs ?? Math.max(5, Math.min(250, Math.floor(timeoutMs / 8)));
    this.#now = options.now ?? Date.now;
  }

  /** The call's own outcome, or a failure once its window's deadline passes unanswered. */
  guard<T>(command: Promise<T>): Promise<T> {
    const pending = this.#current().pending;
    return new Promise<T>((resolve, reject) => {
      pending.add(reject);
      command.then(
        (value) => {
          pending.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          pending.delete(reject);
          reject(error);
        },
      );
    });
  }

  #current(): Window {
    const now = this.#now();
    if (this.#window !== undefined && now < this.#window.endsAt) return this.#window;
    const window: Window = { endsAt: now + this.#windowMs, pending: new Set() };
    const timer = setTimeout(() => {
      // Judged after this turn's I/O (setImmediate runs after the poll phase): when the event loop itself was
      // stalled past the deadline, answers already waiting in the socket are read first and count as in time.
      setImmediate(() => {
        if (window.pending.size === 0) return;
        const error = this.#timedOut(this.#timeoutMs);
        for (const reject of window.pending) reject(error);
        window.pending.clear();
      });
    }, this.#timeoutMs + this.#windowMs);
    timer.unref();
    this.#window = window;
    return window;
  }
}

interface Window {
  endsAt: number;
  /** The rejecters of the window's commands still waiting for their reply. */
  pending: Set<(error: Error) => void>;
}
