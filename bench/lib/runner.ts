import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Environment, RunResults, ScenarioResult } from '../report/results.js';
import { type BenchContext, type BenchOptions, type Scenario, ScenarioSkipped } from '../scenarios/types.js';
import { DISTURBED, MAX_REPEATS } from './measure.js';
import { repoRoot } from './paths.js';
import { ensurePeersInstalled, peerVersions } from './peers.js';
import { canPin, LOAD_CPU, liveProcesses, SERVER_CPU, stopAllProcesses } from './proc.js';
import type { Progress } from './progress.js';
import { type RedisServer, startRedis } from './redis.js';

/** The full run: what the committed results are made with (BENCHMARK-REFERENCE.md's method). */
export const FULL: BenchOptions = {
  quick: false,
  connections: 10,
  warmupSec: 2,
  durationSec: 10,
  rounds: 5,
  slowRounds: 3,
  sameLoadRate: 1_000,
  lookupSizes: [10_000, 1_000_000],
  activeSessions: 10_000,
  storageSessions: 10_000,
  revocationTrials: 50,
};

/** `--quick`: about a minute, every scenario once with short windows; proves the harness, measures little. */
export const QUICK: BenchOptions = {
  ...FULL,
  quick: true,
  warmupSec: 0.5,
  durationSec: 1.5,
  rounds: 1,
  slowRounds: 1,
  sameLoadRate: 500,
  lookupSizes: [10_000, 100_000],
  activeSessions: 2_000,
  storageSessions: 2_000,
  revocationTrials: 5,
};

function environment(): Omit<Environment, 'loadAvgEnd'> {
  let commit = 'unknown';
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot(), encoding: 'utf8' }).trim();
    commit = git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--', 'src').length ? '+dirty' : '');
  } catch {
    // not a git checkout
  }
  const cpuInfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    node: process.version,
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuInfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    heimdallCommit: commit,
    loadAvgStart: Math.round(loadavg()[0]! * 100) / 100,
    peers: {},
  };
}

/** Runs the scenarios one after another, each in its own scratch directory (an interleaved group counts as one). */
export async function runBench(
  options: BenchOptions,
  scenarios: Scenario[],
  progress: Progress,
  /** Called after every scenario with the results so far (the command keeps a partial file). */
  onScenario?: (results: ScenarioResult[]) => void,
): Promise<RunResults> {
  const startedAt = new Date().toISOString();
  const env = environment();
  const root = mkdtempSync(join(tmpdir(), 'heimdall-bench-'));
  let redis: Promise<RedisServer> | undefined;
  let peersReady: Promise<void> | undefined;
  let usedPeers = false;
  const results: ScenarioResult[] = [];
  try {
    for (const [index, scenario] of scenarios.entries()) {
      progress.scenario(index + 1, scenarios.length, scenario.id);
      const tmpDir = join(root, scenario.id);
      mkdirSync(tmpDir, { recursive: true });
      const ctx: BenchContext = {
        options,
        tmpDir,
        progress,
        redis: () => {
          redis ??= startRedis(join(root, 'redis'));
          return redis;
        },
        ensurePeers: () => {
          usedPeers = true;
          peersReady ??= ensurePeersInstalled((line) => progress.log(line));
          return peersReady;
        },
      };
      const running = liveProcesses();
      try {
        const reason = (await scenario.unavailable?.(ctx)) ?? null;
        if (reason) throw new ScenarioSkipped(reason);
        results.push(...[await scenario.run(ctx)].flat());
      } catch (error) {
        if (error instanceof ScenarioSkipped) {
          progress.log(`skipped: ${error.message}`);
          for (const id of scenario.members ?? [scenario.id]) {
            results.push({ kind: 'skipped', id, title: scenario.title, reason: error.message });
          }
          continue;
        }
        // One broken scenario must not throw away the rest of a long run; the report shows the failure.
        const message = error instanceof Error ? error.message : String(error);
        progress.log(`FAILED: ${message}`);
        for (const id of scenario.members ?? [scenario.id]) {
          results.push({ kind: 'failed', id, title: scenario.title, error: message.slice(0, 2000) });
        }
        // Only what this scenario started: the run's shared Redis stays up for the scenarios after it.
        const keep = new Set(running);
        if (redis) keep.add((await redis).process);
        await stopAllProcesses(keep);
      } finally {
        onScenario?.(results);
      }
      rmSync(tmpDir, { recursive: true, force: true });
    }
  } finally {
    if (redis) await (await redis).stop();
    rmSync(root, { recursive: true, force: true });
  }
  return {
    version: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    quick: options.quick,
    settings: {
      connections: options.connections,
      warmupSec: options.warmupSec,
      durationSec: options.durationSec,
      rounds: options.rounds,
      sameLoadRate: options.sameLoadRate,
      serverCpu: canPin() ? SERVER_CPU : null,
      loadCpu: canPin() ? LOAD_CPU : null,
      disturbedShare: DISTURBED,
      maxRepeats: options.quick ? 0 : MAX_REPEATS,
    },
    environment: {
      ...env,
      loadAvgEnd: Math.round(loadavg()[0]! * 100) / 100,
      peers: usedPeers ? peerVersions() : {},
    },
    scenarios: results,
  };
}
