import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type Argon2Params, DUMMY_PASSWORD, normalisePassword, type PasswordHasher } from '../core/passwords.js';

/** `Algorithm.Argon2id` of @node-rs/argon2 (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

/**
 * The worker's whole program, CommonJS run with `eval` (no file to ship beside dist/, and the same under Vitest).
 * It lowers its own thread's priority first: on Linux `setpriority(PRIO_PROCESS, 0)` names the calling thread, so
 * only this worker is niced and the event loop keeps its share of the core while argon2 runs. Elsewhere the call
 * may name the whole process or fail; the worker then leaves its priority alone.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const os = require('node:os');
const argon2 = require(workerData.argon2Path);
let niced = false;
if (workerData.nice && process.platform === 'linux') {
  try { os.setPriority(0, 19); niced = true; } catch {}
}
parentPort.postMessage({ ready: true, niced });
parentPort.on('message', (task) => {
  try {
    const value = task.op === 'hash'
      ? argon2.hashSync(task.password, task.params)
      : argon2.verifySync(task.hash, task.password);
    parentPort.postMessage({ id: task.id, value });
  } catch (error) {
    parentPort.postMessage({ id: task.id, error: String(error && error.message || error) });
  }
});
`;

type Task =
  | { op: 'hash'; password: string; params: Argon2Params & { algorithm: number } }
  | { op: 'verify'; hash: string; password: string };

interface Pending {
  task: Task;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  busy: (Pending & { id: number }) | null;
}

export interface Argon2WorkersOptions {
  /** Worker threads (default: the cores, as PASSWORD_HASH_CONCURRENCY). */
  threads?: number;
  /** Lower each worker thread's priority (nice 19) where the OS allows; default true. */
  nice?: boolean;
}

/**
 * argon2id in worker threads running @node-rs/argon2's synchronous calls, one hash per thread at a time, each thread
 * niced below the event loop. Started on first use; idle workers do not keep the process alive.
 */
export class Argon2WorkerHasher implements PasswordHasher {
  readonly #params: Argon2Params;
  readonly #threads: number;
  readonly #nice: boolean;
  readonly #argon2Path = createRequire(import.meta.url).resolve('@node-rs/argon2');
  readonly #slots: Slot[] = [];
  readonly #backlog: Pending[] = [];
  #nextId = 1;
  #closed = false;
  #dummyHash: Promise<string> | undefined;

  constructor(params: Argon2Params, options: Argon2WorkersOptions = {}) {
    this.#params = params;
    this.#threads = Math.max(1, options.threads ?? availableParallelism());
    this.#nice = options.nice ?? true;
  }

  hash(password: string): Promise<string> {
    return this.#submit({
      op: 'hash',
      password: normalisePassword(password),
      params: { algorithm: ARGON2ID, ...this.#params },
    }) as Promise<string>;
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return (await this.#submit({ op: 'verify', hash: passwordHash, password: normalisePassword(password) })) === true;
    } catch {
      // A malformed stored hash verifies nothing.
      return false;
    }
  }

  async verifyDummy(password: string): Promise<void> {
    this.#dummyHash ??= this.hash(DUMMY_PASSWORD);
    await this.verify(await this.#dummyHash, password);
  }

  /** Stops the workers; work still queued is refused. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#backlog.splice(0)) pending.reject(new Error('the password hasher is closed'));
    await Promise.all(this.#slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  #submit(task: Task): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error('the password hasher is closed'));
    return new Promise((resolve, reject) => {
      this.#backlog.push({ task, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#backlog.length > 0) {
      const slot = this.#slots.find((s) => s.busy === null) ?? this.#spawn();
      if (!slot) return;
      const pending = this.#backlog.shift() as Pending;
      const id = this.#nextId++;
      slot.busy = { ...pending, id };
      slot.worker.ref();
      slot.worker.postMessage({ id, ...pending.task });
    }
  }

  #spawn(): Slot | null {
    if (this.#slots.length >= this.#threads) return null;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { argon2Path: this.#argon2Path, nice: this.#nice },
    });
    const slot: Slot = { worker, busy: null };
    worker.on('message', (message: { id?: number; value?: unknown; error?: string }) => {
      const busy = slot.busy;
      if (message.id === undefined || !busy || busy.id !== message.id) return;
      slot.busy = null;
      worker.unref();
      if (message.error !== undefined) busy.reject(new Error(message.error));
      else busy.resolve(message.value);
      this.#dispatch();
    });
    const lost = (error: Error) => {
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
      slot.busy?.reject(error);
      slot.busy = null;
      if (!this.#closed) this.#dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`a password hashing worker stopped (exit code ${code})`)));
    worker.unref();
    this.#slots.push(slot);
    return slot;
  }
}
