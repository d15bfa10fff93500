import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { measureThroughput, roundOrder, summarise } from '../lib/measure.js';
import { type RedisServer, startRedis } from '../lib/redis.js';
import type { Round, ScenarioResult } from '../report/results.js';
import { measureTargetOf, probeRead, type ReadScenario, type ReadTarget, readResult } from './read-scenario.js';
import type { BenchContext, Scenario } from './types.js';

/** A started read: its server, the body of its check request, and its rounds so far. */
interface Member {
  scenario: ReadScenario;
  ctx: BenchContext;
  target: ReadTarget;
  body: string;
  saturation: Round[];
  sameLoad: Round[];
}

/**
 * A context of its own for one member: its own scratch directory, and its own Redis, so one member's FLUSHALL at
 * launch cannot wipe another's sessions and each Redis's CPU is its member's alone.
 */
function memberContext(ctx: BenchContext, id: string, redises: Array<Promise<RedisServer>>): BenchContext {
  let redis: Promise<RedisServer> | undefined;
  const tmpDir = join(ctx.tmpDir, id);
  mkdirSync(tmpDir, { recursive: true });
  return {
    ...ctx,
    tmpDir,
    redis: () => {
      if (!redis) {
        redis = startRedis(join(tmpDir, 'redis'));
        redises.push(redis);
      }
      return redis;
    },
  };
}

/**
 * Several reads measured in the same minutes (what a run does unless `--sequential`): every server is started
 * first, then round 1 of each is measured, then round 2 in a rotated order, and so on; the fixed-rate rounds likewise. A slow minute of the
 * shared machine then lands on every row instead of on whichever was measured during it, which matters for the
 * targets that are ratios between rows (Heimdall against the floor, express-session, a bare ES256 check). The
 * servers wait idle, pinned to the server's CPU, while another is measured.
 */
export function interleavedReads(scenarios: ReadScenario[]): Scenario {
  return {
    id: 'interleaved-reads',
    title: `Reads measured in alternation: ${scenarios.map((s) => s.id).join(', ')}`,
    members: scenarios.map((s) => s.id),
    async run(ctx): Promise<ScenarioResult[]> {
      const redises: Array<Promise<RedisServer>> = [];
      const skipped: ScenarioResult[] = [];
      const members: Member[] = [];
      // Every server started, stopped at the end even if its check request or a later launch fails.
      const started: ReadTarget[] = [];
      try {
        for (const scenario of scenarios) {
          const memberCtx = memberContext(ctx, scenario.id, redises);
          const reason = (await scenario.unavailable?.(memberCtx)) ?? null;
          if (reason) {
            ctx.progress.log(`${scenario.id} skipped: ${reason}`);
            skipped.push({ kind: 'skipped', id: scenario.id, title: scenario.title, reason });
            continue;
          }
          ctx.progress.log(`${scenario.id}: starting`);
          const target = await scenario.read.launch(memberCtx);
          started.push(target);
          const body = await probeRead(scenario.read, target);
          members.push({ scenario, ctx: memberCtx, target, body, saturation: [], sameLoad: [] });
        }
        const rate = ctx.options.sameLoadRate;
        const count = ctx.options.rounds;
        const phases = [
          { label: 'saturation', members, rounds: (m: Member) => m.saturation, rate: undefined },
          {
            label: `${rate} req/s`,
            members: members.filter((m) => m.scenario.read.sameLoad),
            rounds: (m: Member) => m.sameLoad,
            rate,
          },
        ];
        for (const phase of phases) {
          for (let i = 0; i < count; i++) {
            for (const m of roundOrder(phase.members, i)) {
              if (m.target.renew) m.target.headers = { ...m.target.headers, ...(await m.target.renew()) };
              const label = `${m.scenario.id} · ${phase.label} (${i + 1} of ${count})`;
              const measured = await measureThroughput(m.ctx, label, measureTargetOf(m.target), {
                rounds: 1,
                ...(phase.rate ? { rate: phase.rate } : {}),
              });
              phase.rounds(m).push(...measured.rounds);
            }
          }
        }
        return scenarios.map((scenario): ScenarioResult => {
          const m = members.find((member) => member.scenario === scenario);
          if (!m) return skipped.find((s) => s.id === scenario.id)!;
          const sameLoad = scenario.read.sameLoad ? { ...summarise(m.sameLoad), rate } : undefined;
          const result = readResult(scenario.read, m.target, m.body, summarise(m.saturation), sameLoad);
          return { ...result, interleaved: true };
        });
      } finally {
        await Promise.all(started.map((target) => target.stop()));
        // A Redis that failed to start has nothing to stop.
        await Promise.allSettled(redises.map(async (r) => (await r).stop()));
      }
    },
  };
}

const isRead = (scenario: Scenario): scenario is ReadScenario => 'read' in scenario;

/** The run's scenarios with its reads replaced by one interleaved scenario, where the first of them stood. */
export function interleaveReads(scenarios: Scenario[]): Scenario[] {
  const reads = scenarios.filter(isRead);
  if (reads.length < 2) return scenarios;
  const first = scenarios.indexOf(reads[0]!);
  const others = scenarios.filter((s) => !isRead(s));
  return [...others.slice(0, first), interleavedReads(reads), ...others.slice(first)];
}
