import { type MeasureTarget, measureThroughput } from '../lib/measure.js';
import { request } from '../lib/net.js';
import type { ManagedProcess } from '../lib/proc.js';
import type { Approach, Family, ReadResult, Revocation, Throughput } from '../report/results.js';
import type { BenchContext, Scenario } from './types.js';

export { ScenarioSkipped } from './types.js';

/** A started server and the one authenticated request to load it with. */
export interface ReadTarget {
  server: ManagedProcess;
  redis?: ManagedProcess;
  url: string;
  /** Headers of the measured request, the credential included. */
  headers: Record<string, string>;
  /** Checks one answer before measuring, so a stack that refuses the credential is never timed. */
  accept(status: number, body: string): boolean;
  /**
   * For a credential that expires within minutes (an access JWT, a cached session cookie): a fresh one, as headers
   * to merge over `headers`. Alternating reads spreads one read's rounds over half an hour: each round asks first.
   */
  renew?(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

export interface ReadScenarioDefinition {
  id: string;
  title: string;
  stack: string;
  family: Family;
  approach: Approach;
  revocation?: Revocation;
  floor?: boolean;
  /** Also measure latency at the fixed "same load" rate (for the p99 comparison). */
  sameLoad?: boolean;
  unavailable?: Scenario['unavailable'];
  launch(ctx: BenchContext): Promise<ReadTarget>;
}

/** The bytes a client sends to prove who it is on every request: the Cookie or Authorization header's value. */
export function credentialOf(headers: Record<string, string>): ReadResult['credential'] {
  if (headers.cookie) return { header: 'cookie', bytes: Buffer.byteLength(headers.cookie) };
  if (headers.authorization) return { header: 'authorization', bytes: Buffer.byteLength(headers.authorization) };
  return { header: 'none', bytes: 0 };
}

/** A read scenario: a Scenario that also carries its definition, so its rounds can alternate with others'. */
export interface ReadScenario extends Scenario {
  read: ReadScenarioDefinition;
}

/** Checks one answer before measuring, so a stack that refuses the credential is never timed; returns its body. */
export async function probeRead(definition: ReadScenarioDefinition, target: ReadTarget): Promise<string> {
  const probe = await request(target.url, { headers: target.headers });
  if (!target.accept(probe.status, probe.body)) {
    throw new Error(`${definition.id}: the check request got ${probe.status} ${probe.body.slice(0, 300)}`);
  }
  return probe.body;
}

/** What measureThroughput loads and whose CPU it counts, for a started read target. */
export function measureTargetOf(target: ReadTarget): MeasureTarget {
  return {
    server: target.server,
    request: { url: target.url, headers: target.headers },
    ...(target.redis ? { redis: target.redis } : {}),
  };
}

/** The result of a read from its measured rounds. */
export function readResult(
  definition: ReadScenarioDefinition,
  target: ReadTarget,
  body: string,
  saturation: Throughput,
  sameLoad?: Throughput & { rate: number },
): ReadResult {
  return {
    kind: 'read',
    id: definition.id,
    title: definition.title,
    stack: definition.stack,
    family: definition.family,
    approach: definition.approach,
    floor: definition.floor === true,
    ...(definition.revocation ? { revocation: definition.revocation } : {}),
    credential: credentialOf(target.headers),
    responseBytes: Buffer.byteLength(body),
    saturation,
    ...(sameLoad ? { sameLoad } : {}),
  };
}

/** Builds the scenario for an authenticated read: saturation rounds, then (optionally) the fixed-rate rounds. */
export function readScenario(definition: ReadScenarioDefinition): ReadScenario {
  return {
    id: definition.id,
    title: definition.title,
    read: definition,
    ...(definition.unavailable ? { unavailable: definition.unavailable } : {}),
    async run(ctx) {
      const target = await definition.launch(ctx);
      try {
        const body = await probeRead(definition, target);
        const measureTarget = measureTargetOf(target);
        const { alongside: _a, ...saturation } = await measureThroughput(ctx, 'saturation', measureTarget);
        if (!definition.sameLoad) return readResult(definition, target, body, saturation);
        const rate = ctx.options.sameLoadRate;
        const { alongside: _b, ...fixed } = await measureThroughput(ctx, `${rate} req/s`, measureTarget, { rate });
        return readResult(definition, target, body, saturation, { ...fixed, rate });
      } finally {
        await target.stop();
      }
    },
  };
}
