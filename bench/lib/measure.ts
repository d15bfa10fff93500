import type { Round, Throughput } from '../report/results.js';
import type { BenchContext } from '../scenarios/types.js';
import { type LoadResult, type LoadSpec, runLoads } from './load.js';
import { canPin, cpuBusyUs, type ManagedProcess, SERVER_CPU } from './proc.js';
import { median, round } from './stats.js';

/** What to load and whose CPU time to count. */
export interface MeasureTarget {
  server: ManagedProcess;
  /** Redis, for stacks that use it: its CPU per request is reported beside the server's. */
  redis?: ManagedProcess;
  request: Pick<LoadSpec, 'url' | 'method' | 'headers' | 'body' | 'cookies' | 'bodies'>;
}

export interface MeasureOptions {
  rounds?: number;
  /** Fixed overall rate (req/s); absent means as fast as the server answers. */
  rate?: number;
  /** Extra generators running during the measured window (a login storm); their results are returned too. */
  alongside?: LoadSpec[];
  connections?: number;
}

/** A round during which other processes used more than this share of the server's CPU is repeated… */
export const DISTURBED = 0.1;
/** …at most this many times per measurement (then it is kept, and its share recorded). */
export const MAX_REPEATS = 2;

export function loadSpec(ctx: BenchContext, request: MeasureTarget['request'], extra: Partial<LoadSpec> = {}) {
  const { connections, warmupSec, durationSec, amount } = ctx.options;
  const spec: LoadSpec = { connections, warmupSec, durationSec, ...request, ...extra };
  if (amount !== undefined) spec.amount = amount;
  return spec;
}

/**
 * Runs the rounds: each is a warm-up, then a measured window around which the server's CPU time (utime + stime
 * from /proc/<pid>/stat) is read. Returns the medians and every round.
 */
export async function measureThroughput(
  ctx: BenchContext,
  label: string,
  target: MeasureTarget,
  options: MeasureOptions = {},
): Promise<Throughput & { alongside: LoadResult[][] }> {
  const rounds: Round[] = [];
  const alongside: LoadResult[][] = [];
  const count = options.rounds ?? ctx.options.rounds;
  let retries = ctx.options.quick ? 0 : MAX_REPEATS;
  for (let i = 1; i <= count; i++) {
    let cpuStart = 0;
    let cpuEnd = 0;
    let redisStart = 0;
    let redisEnd = 0;
    let coreStart = 0;
    let coreEnd = 0;
    let wallStart = 0;
    let wallEnd = 0;
    const spec = loadSpec(ctx, target.request, {
      ...(options.rate ? { rate: options.rate } : {}),
      ...(options.connections ? { connections: options.connections } : {}),
    });
    const [result, ...others] = await runLoads([spec, ...(options.alongside ?? [])], ctx.tmpDir, {
      onStart() {
        wallStart = performance.now();
        coreStart = cpuBusyUs(SERVER_CPU);
        cpuStart = target.server.cpuTimeUs();
        if (target.redis) redisStart = target.redis.cpuTimeUs();
      },
      onEnd() {
        wallEnd = performance.now();
        coreEnd = cpuBusyUs(SERVER_CPU);
        cpuEnd = target.server.cpuTimeUs();
        if (target.redis) redisEnd = target.redis.cpuTimeUs();
      },
    });
    if (!result || result.ok === 0) {
      throw new Error(
        `${label}: no successful responses (${JSON.stringify(result?.statusCodes)})\n${target.server.output}`,
      );
    }
    const measured: Round = {
      reqPerSec: round(result.reqPerSec, 1),
      requests: result.ok,
      cpuUsPerReq: round((cpuEnd - cpuStart) / result.ok, 2),
      latencyMs: result.latencyMs,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
    };
    if (target.redis) measured.redisCpuUsPerReq = round((redisEnd - redisStart) / result.ok, 2);
    // Other processes on the server's CPU (the machine is shared): the CPU's busy time not spent by the server.
    const disturbance = canPin()
      ? Math.max(0, coreEnd - coreStart - (cpuEnd - cpuStart)) / ((wallEnd - wallStart) * 1000)
      : 0;
    measured.otherLoadOnServerCpu = round(disturbance, 3);
    if (disturbance > DISTURBED && retries > 0) {
      retries--;
      i--;
      ctx.progress.log(
        `${label}: other processes took ${(disturbance * 100).toFixed(0)} % of the server's CPU; repeating the round`,
      );
      continue;
    }
    rounds.push(measured);
    alongside.push(others);
    const failed = measured.non2xx + measured.errors;
    ctx.progress.log(
      `${label} round ${i}/${count}: ${Math.round(measured.reqPerSec).toLocaleString('en-US')} req/s, ` +
        `${measured.cpuUsPerReq.toFixed(1)} µs CPU/req, p99 ${result.latencyMs.p99.toFixed(2)} ms` +
        (failed ? `, ${failed} failed` : ''),
    );
  }
  return { ...summarise(rounds), alongside };
}

/**
 * The order of round `i` when several servers' rounds alternate: the members rotated by `i`, so each is measured
 * first, second, … in turn (with two: a, b, then b, a).
 */
export function roundOrder<T>(members: readonly T[], i: number): T[] {
  const shift = i % Math.max(1, members.length);
  return [...members.slice(shift), ...members.slice(0, shift)];
}

export function summarise(rounds: Round[]): Throughput {
  const summary: Throughput = {
    rounds,
    reqPerSec: round(median(rounds.map((r) => r.reqPerSec)), 1),
    cpuUsPerReq: round(median(rounds.map((r) => r.cpuUsPerReq)), 2),
    p50Ms: round(median(rounds.map((r) => r.latencyMs.p50)), 3),
    p99Ms: round(median(rounds.map((r) => r.latencyMs.p99)), 3),
  };
  const redis = rounds.map((r) => r.redisCpuUsPerReq).filter((v): v is number => v !== undefined);
  if (redis.length) summary.redisCpuUsPerReq = round(median(redis), 2);
  return summary;
}
