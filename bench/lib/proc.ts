import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** The server under test runs alone on this CPU; the load generator (and Redis) on the other. */
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

let clockTicks: number | undefined;

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU time (user + system, all threads) the process has used so far, in microseconds. This, not req/s, is the
 * headline figure: on a 2-core machine req/s of the fastest stacks is capped by the load generator.
 */
export function cpuTimeUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1_000_000) / ticksPerSecond();
}

/** Resident set size of the process, in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

let tasksetChecked: boolean | undefined;

/** Pinning needs taskset and two CPUs; without them the run still works, and says so in its results. */
export function canPin(): boolean {
  if (tasksetChecked === undefined) {
    let hasTaskset = false;
    try {
      execFileSync('taskset', ['-c', '0', 'true']);
      hasTaskset = true;
    } catch {
      hasTaskset = false;
    }
    tasksetChecked = hasTaskset && availableParallelism() >= 2;
  }
  return tasksetChecked;
}

export interface SpawnOptions {
  /** CPU to pin the process to (taskset -c), when pinning is possible. */
  cpu?: number;
  env?: Record<string, string>;
  cwd?: string;
  /** Shown in error messages. */
  label: string;
}

const live = new Set<ManagedProcess>();

/** Stops every process the harness started and has not stopped yet, except those in `keep` (Ctrl-C, failures). */
export async function stopAllProcesses(keep: ReadonlySet<ManagedProcess> = new Set()): Promise<void> {
  await Promise.all([...live].filter((p) => !keep.has(p)).map((p) => p.stop(1_000)));
}

/** The processes running right now (a scenario's failure stops only those it started itself). */
export function liveProcesses(): ReadonlySet<ManagedProcess> {
  return new Set(live);
}

/** A child process the harness started and must stop; keeps the tail of its output for error messages. */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly label: string;
  #output = '';
  #exited: Promise<number | null>;

  constructor(command: string, args: string[], options: SpawnOptions) {
    const pinned = options.cpu !== undefined && canPin();
    const [file, argv] = pinned ? ['taskset', ['-c', String(options.cpu), command, ...args]] : [command, args];
    this.label = options.label;
    // taskset execs the command, so the pid is the server's own and /proc/<pid>/stat measures the server alone.
    this.child = spawn(file, argv, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-4000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    // 'close' (not 'exit'): by then everything the process wrote has been read.
    this.#exited = new Promise((resolve) =>
      this.child.once('close', (code) => {
        live.delete(this);
        resolve(code);
      }),
    );
    live.add(this);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.label} did not start: ${this.#output}`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get output(): string {
    return this.#output;
  }

  cpuTimeUs(): number {
    return cpuTimeUs(this.pid);
  }

  rssBytes(): number {
    return rssBytes(this.pid);
  }

  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  exited(): Promise<number | null> {
    return this.#exited;
  }
}

/** Busy time (everything but idle and iowait) of one CPU since boot, in microseconds, from /proc/stat. */
export function cpuBusyUs(cpu: number): number {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu} `));
  if (!line) return 0;
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return (busy * 1_000_000) / ticksPerSecond();
}
