import type { LatencyMs } from '../lib/load.js';

/** The JSON a bench run writes to bench/results/: everything the docs show is read from here. */
export interface RunResults {
  version: 1;
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  settings: RunSettings;
  environment: Environment;
  scenarios: ScenarioResult[];
  /**
   * Scenarios measured again after this run and merged in (`--only … --record`): which, when, on what commit, and
   * the machine's load then. Their figures come from those later runs; everything else from this one.
   */
  remeasured?: Remeasured[];
}

export interface Remeasured {
  scenarios: string[];
  startedAt: string;
  heimdallCommit: string;
  loadAvgStart: number;
  loadAvgEnd: number;
}

export interface RunSettings {
  connections: number;
  warmupSec: number;
  durationSec: number;
  rounds: number;
  /** Fixed request rate of the "same load" latency runs. */
  sameLoadRate: number;
  serverCpu: number | null;
  loadCpu: number | null;
  /** A round in which other processes took more than this share of the server's CPU was repeated… */
  disturbedShare?: number;
  /** …at most this many times per measurement. */
  maxRepeats?: number;
}

export interface Environment {
  node: string;
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  kernel: string;
  heimdallCommit: string;
  /** 1-minute load average when the run started and ended: other work on the machine shows here. */
  loadAvgStart: number;
  loadAvgEnd: number;
  peers: Record<string, string>;
}

/** One measured round: a warm-up, then a measured window with the server's CPU time read around it. */
export interface Round {
  reqPerSec: number;
  requests: number;
  /** Server CPU time (user + system) over the measured window ÷ successful requests. */
  cpuUsPerReq: number;
  /** The same for Redis, for stacks that use it. */
  redisCpuUsPerReq?: number;
  latencyMs: LatencyMs;
  non2xx: number;
  errors: number;
  /** Share of the server's CPU that other processes on the machine used during the window (0–1). */
  otherLoadOnServerCpu?: number;
}

/** Medians over the rounds (p99 is the median of the rounds' p99s). */
export interface Throughput {
  rounds: Round[];
  reqPerSec: number;
  cpuUsPerReq: number;
  redisCpuUsPerReq?: number;
  p50Ms: number;
  p99Ms: number;
}

export type Family = 'heimdall' | 'peer';

/** How a stack answers "is this credential still good?" — the axis the seeds argue along. */
export type Approach = 'none' | 'stateful-sql' | 'stateful-redis' | 'stateful-cached' | 'stateless-token' | 'hybrid';

export interface Revocation {
  /** True when a revoked or demoted session is refused on its next request. */
  immediate: boolean;
  /** Otherwise, how long a revoked credential keeps working (token lifetime, cache age), in seconds. */
  staleForSec?: number;
  note: string;
}

interface Base {
  id: string;
  title: string;
}

/** An authenticated read (or the unauthenticated floor) at saturation, optionally also at a fixed rate. */
export interface ReadResult extends Base {
  kind: 'read';
  stack: string;
  family: Family;
  approach: Approach;
  /** The floor every ratio is taken against. */
  floor: boolean;
  revocation?: Revocation;
  credential: { header: 'cookie' | 'authorization' | 'none'; bytes: number };
  responseBytes: number;
  saturation: Throughput;
  sameLoad?: Throughput & { rate: number };
  /** Its rounds alternated with those of the other reads of its run (the default; not with `--sequential`). */
  interleaved?: true;
}

export interface LoginResult extends Base {
  kind: 'login';
  argon2: { memoryKiB: number; iterations: number; parallelism: number };
  saturation: Throughput;
}

export interface LoginStormResult extends Base {
  kind: 'login-storm';
  readRate: number;
  calm: Throughput;
  storm: Throughput;
  stormLoginsPerSec: number;
}

/**
 * Reads at a fixed rate, calm and while many connections sign in to many different accounts as fast as they can
 * (issue 18), beside what one connection alone signs in.
 */
export interface SignInRushResult extends Base {
  kind: 'sign-in-rush';
  readRate: number;
  accounts: number;
  rushConnections: number;
  /** Sign-ins per second of one connection alone (the rush's reference). */
  solo: Throughput;
  calm: Throughput;
  rush: Throughput;
  /** Successful sign-ins per second during the rush (median over rounds). */
  rushSignInsPerSec: number;
  /** Share of the rush's sign-in answers that were 503 service_unavailable (median over rounds). */
  rushShed: number;
  /** Other failed sign-ins during the rush (neither 2xx nor 503), summed over rounds. */
  rushOtherFailures: number;
  /** Reads answered other than 2xx during the rush, summed over rounds (a read must never be shed). */
  readFailures: number;
}

export interface StorageResult extends Base {
  kind: 'storage';
  store: 'sqlite' | 'redis';
  sessions: number;
  bytesPerSession: number;
  method: string;
  /** Redis: `MEMORY USAGE` of each kind of key Heimdall keeps per session, over every such key after the run. */
  keyUsage?: KeyUsage[];
  /** Redis: keys in its client-tracking table afterwards (read by Heimdall, so Redis must tell it of changes). */
  trackedKeys?: number;
}

export interface KeyUsage {
  /** The key pattern, e.g. `hd:s:{tokenHash}`. */
  key: string;
  what: string;
  keys: number;
  medianBytes: number;
  maxBytes: number;
  /** Their total ÷ the sessions stored (a per-user key is shared by that user's sessions). */
  bytesPerSession: number;
}

export interface LookupScaleResult extends Base {
  kind: 'lookup-scale';
  /** Distinct sessions the load rotates through at each size. */
  activeSessions: number;
  /** Sessions per seeded user at both sizes (absent in runs before it was held constant: then 1,000 users in all). */
  sessionsPerUser?: number;
  /** Both sizes served at once from two copies of the database, their rounds alternating (absent in older runs). */
  interleaved?: boolean;
  points: Array<{
    stored: number;
    seedSeconds: number;
    saturation: Throughput;
    /** The bare SQL lookup by token hash, in process, without HTTP. */
    sqlLookupUs: { p50: number; p99: number };
  }>;
}

export interface RevocationResult extends Base {
  kind: 'revocation';
  store: string;
  trials: number;
  /** From the revoking instance's answer to the other instance's first refusal. */
  latencyMs: { p50: number; p99: number; max: number };
  /** Requests sent to the other instance after the revocation was acknowledged, and still let in (must be 0). */
  staleAccepts: number;
}

/** Where the server's CPU goes on one route, from a V8 CPU profile taken under load (idle time left out). */
/** The profile component for SQLite's `PRAGMA data_version`, read before serving from the in-process cache. */
export const DATA_VERSION_CHECK = 'SQLite change check (PRAGMA data_version)';

export interface ProfileResult extends Base {
  kind: 'profile';
  route: string;
  /** Busy (non-idle) profile time, ms. */
  busyMs: number;
  /** Share of busy time per component (a package, garbage collection, Node's own http, …), largest first. */
  components: Array<{ name: string; share: number }>;
}

/** One step of the cache-memory scenario: the server's RSS and cache sizes after it, and its CPU per read. */
export interface CacheMemoryPhase {
  label: string;
  /** After full garbage collections. */
  rssBytes: number;
  /** V8 heap in use after full garbage collections: what the process holds in JavaScript objects. */
  heapUsedBytes: number;
  /** V8 heap space committed (used or not); absent in runs before it was recorded. */
  heapTotalBytes?: number;
  /** Memory outside the V8 heap that JavaScript objects hold (Buffers); absent in runs before it was recorded. */
  externalBytes?: number;
  /** Entries per in-process cache (sessions, sessionLists, users), from /metrics. */
  entries: Record<string, number>;
  cpuUsPerReq: number | null;
}

/** Server memory for sessions held in the client-side cache (Redis), and the cache's bound. */
export interface CacheMemoryResult extends Base {
  kind: 'cache-memory';
  /** Sessions read into the cache after the warm-up (CACHE_MAX_ENTRIES holds these and the warm-up's). */
  sessions: number;
  /**
   * Sessions read before the baseline, one per user of their own, so that every bounded memo is full at the baseline
   * (absent in records before 2026-12-03 19:30, whose 2,000 left them filling and whose cache held `sessions` alone).
   */
  warmUpSessions?: number;
  /** Sessions the cache gained over the baseline (which already held the warm-up's); the per-session figures' divisor. */
  addedSessions: number;
  sessionsPerUser: number;
  maxEntries: number;
  route: string;
  /** RSS growth from filling the cache, scaled to 100k sessions. */
  rssPer100kMiB: number;
  /** The V8 heap's growth, scaled the same way. */
  heapPer100kMiB: number;
  bytesPerSession: number;
  heapBytesPerSession: number;
  phases: CacheMemoryPhase[];
}

/** Keeping a device-bound session alive: Chromium's refresh (challenge, then signed proof), one after another. */
export interface DbscRefreshResult extends Base {
  kind: 'dbsc-refresh';
  refreshes: number;
  /** Bound sessions refreshing at once, each again as soon as it is done. */
  concurrency: number;
  /** Server CPU per refresh, both of its requests: the median of the rounds. */
  cpuUsPerRefresh: number;
  /** Both round trips as the client sees them, its signing of the proof included. */
  latencyMs: { p50: number; p99: number };
}

export interface SkippedResult extends Base {
  kind: 'skipped';
  reason: string;
}

export interface FailedResult extends Base {
  kind: 'failed';
  error: string;
}

export type ScenarioResult =
  | ReadResult
  | LoginResult
  | LoginStormResult
  | SignInRushResult
  | StorageResult
  | LookupScaleResult
  | RevocationResult
  | ProfileResult
  | CacheMemoryResult
  | DbscRefreshResult
  | SkippedResult
  | FailedResult;
