import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fromRoot } from './paths.js';
import { LOAD_CPU, ManagedProcess } from './proc.js';

/** One autocannon run: the warm-up, then a measured window of `durationSec` (or `amount` requests). */
export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  warmupSec: number;
  durationSec: number;
  /** Measure this many requests instead of a duration (the harness test). */
  amount?: number;
  /** Fixed overall request rate (req/s) instead of as fast as the server answers. */
  rate?: number;
  /** Rotate through these Cookie headers, one per request (many sessions instead of one). */
  cookies?: string[];
  /** Rotate through these request bodies, one per request (many accounts signing in instead of one). */
  bodies?: string[];
}

export interface LatencyMs {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  responses: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  elapsedMs: number;
  reqPerSec: number;
  bytesRead: number;
  statusCodes: Record<string, number>;
  latencyMs: LatencyMs;
}

export interface LoadHooks {
  /** Called once every generator has warmed up, right before the measured window starts. */
  onStart(): void;
  /** Called as soon as the first spec's measured window is over (before any other bookkeeping). */
  onEnd(): void;
}

type WorkerMessage = { type: 'ready' } | ({ type: 'result' } & LoadResult);

/**
 * Runs load generators in their own processes on the load CPU, all measured windows starting together; returns
 * their results in spec order. Several specs make a mixed load (a login storm during reads).
 */
export async function runLoads(specs: LoadSpec[], tmpDir: string, hooks: LoadHooks): Promise<LoadResult[]> {
  const workers = specs.map((spec, i) => {
    const file = join(tmpDir, `load-${process.pid}-${Date.now()}-${i}.json`);
    writeFileSync(file, JSON.stringify(spec));
    const proc = new ManagedProcess('node', [fromRoot('bench', 'lib', 'load-worker.mjs'), file], {
      cpu: LOAD_CPU,
      label: `load generator ${i}`,
    });
    const messages: WorkerMessage[] = [];
    const waiters: Array<() => void> = [];
    createInterface({ input: proc.child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      messages.push(JSON.parse(line) as WorkerMessage);
      for (const wake of waiters.splice(0)) wake();
    });
    const next = async (type: WorkerMessage['type']): Promise<WorkerMessage> => {
      for (;;) {
        const found = messages.find((m) => m.type === type);
        if (found) return found;
        if (!proc.running) throw new Error(`${proc.label} exited early:\n${proc.output}`);
        await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), proc.exited()]);
      }
    };
    return { proc, next };
  });
  try {
    await Promise.all(workers.map((w) => w.next('ready')));
    hooks.onStart();
    for (const w of workers) w.proc.child.stdin!.write('go\n');
    const results = workers.map((w, i) =>
      w.next('result').then((message) => {
        if (i === 0) hooks.onEnd();
        const { type: _type, ...result } = message as { type: 'result' } & LoadResult;
        return result;
      }),
    );
    return await Promise.all(results);
  } finally {
    await Promise.all(workers.map((w) => w.proc.stop()));
  }
}
