import type { Progress } from '../lib/progress.js';
import type { RedisServer } from '../lib/redis.js';
import type { ScenarioResult } from '../report/results.js';

/** How long and how hard every scenario measures; `--quick` shrinks all of it. */
export interface BenchOptions {
  quick: boolean;
  connections: number;
  warmupSec: number;
  durationSec: number;
  rounds: number;
  /** Rounds for the slow scenarios (login, storms, scale), whose windows are as long but fewer. */
  slowRounds: number;
  /** Fixed rate (req/s) for the "same load" p99 comparison and the login storm's reads. */
  sameLoadRate: number;
  /** Stored sessions for the lookup-scale scenario: [small, large]. */
  lookupSizes: [number, number];
  /** Distinct sessions the lookup-scale load rotates through. */
  activeSessions: number;
  /** Sessions seeded to measure bytes per session. */
  storageSessions: number;
  revocationTrials: number;
  /** Measure this many requests per round instead of a duration (the harness test). */
  amount?: number;
}

/** What a scenario may use: options, a scratch directory, progress output, and shared throwaway servers. */
export interface BenchContext {
  options: BenchOptions;
  /** A directory of its own for this scenario, removed after the run. */
  tmpDir: string;
  progress: Progress;
  /** The run's throwaway redis-server, started on first use (`scripts/services.sh install redis`). */
  redis(): Promise<RedisServer>;
  /** Installs bench/peers' dependencies on first use (`npm ci --prefix bench/peers`). */
  ensurePeers(): Promise<void>;
}

/**
 * One benchmark scenario: a small module that starts what it measures, measures it and stops it. Add one by
 * writing a module under bench/scenarios/ and listing it in index.ts.
 */
export interface Scenario {
  id: string;
  title: string;
  /** Reasons this scenario cannot run yet (a feature not landed); null when it can. */
  unavailable?(ctx: BenchContext): Promise<string | null>;
  /** A scenario that measures several others together (alternating reads): their ids, one result each. */
  members?: string[];
  run(ctx: BenchContext): Promise<ScenarioResult | ScenarioResult[]>;
}

/** Thrown by a scenario when what it would measure does not exist yet; the run records a skip, not a failure. */
export class ScenarioSkipped extends Error {
  override name = 'ScenarioSkipped';
}
