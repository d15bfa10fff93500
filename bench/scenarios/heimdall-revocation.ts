import { join } from 'node:path';
import {
  BROWSER_UA,
  getWithCookie,
  type HeimdallInstance,
  loginUser,
  registerUser,
  startHeimdall,
} from '../lib/heimdall.js';
import { request } from '../lib/net.js';
import { LOAD_CPU, SERVER_CPU } from '../lib/proc.js';
import { percentileOfSorted, round } from '../lib/stats.js';
import type { RevocationResult } from '../report/results.js';
import { heimdallRedisUnsupported } from './redis-probe.js';
import type { BenchContext, Scenario } from './types.js';

interface Poll {
  sentAt: number;
  answeredAt: number;
  status: number;
}

/**
 * Sign out on instance A while instance B is asked, back to back, whether the cookie is still good: how long after A
 * acknowledged the revocation does B first refuse, and does B let anyone in after the acknowledgement?
 */
async function revocationTrial(a: HeimdallInstance, b: HeimdallInstance, email: string) {
  const session = await loginUser(a, email);
  const warm = await getWithCookie(b, '/api/session', session.cookie);
  if (warm.status !== 200) throw new Error(`instance B refused a fresh session: ${warm.status}`);
  const polls: Poll[] = [];
  let refused = false;
  const poller = (async () => {
    const deadline = performance.now() + 10_000;
    while (!refused && performance.now() < deadline) {
      const sentAt = performance.now();
      const response = await getWithCookie(b, '/api/session', session.cookie);
      polls.push({ sentAt, answeredAt: performance.now(), status: response.status });
      if (response.status === 401) refused = true;
    }
  })();
  while (polls.length < 3) await new Promise((resolve) => setImmediate(resolve));
  const logout = await request(`${a.baseUrl}/api/auth/logout`, {
    method: 'POST',
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken, 'user-agent': BROWSER_UA },
  });
  const acknowledgedAt = performance.now();
  if (logout.status !== 204) throw new Error(`logout on A: ${logout.status} ${logout.body}`);
  await poller;
  const firstRefusal = polls.find((p) => p.status === 401);
  if (!firstRefusal) throw new Error('instance B never refused the revoked session');
  return {
    latencyMs: Math.max(0, firstRefusal.answeredAt - acknowledgedAt),
    staleAccepts: polls.filter((p) => p.sentAt > acknowledgedAt && p.status === 200).length,
  };
}

function revocationScenario(options: {
  id: string;
  title: string;
  store: string;
  env: (ctx: BenchContext) => Promise<Record<string, string>>;
}): Scenario {
  return {
    id: options.id,
    title: options.title,
    async run(ctx): Promise<RevocationResult> {
      const env = await options.env(ctx);
      const dataDir = join(ctx.tmpDir, 'heimdall');
      // Two instances over the same stores: A on the server CPU, B on the other one.
      const a = await startHeimdall({ dataDir, env, label: 'heimdall A', cpu: SERVER_CPU });
      const b = await startHeimdall({
        dataDir,
        env: { ...env, HEIMDALL_SECRET: a.env.HEIMDALL_SECRET! },
        label: 'heimdall B',
        cpu: LOAD_CPU,
      });
      try {
        await registerUser(a, 'odin@asgard.example');
        const latencies: number[] = [];
        let staleAccepts = 0;
        for (let i = 0; i < ctx.options.revocationTrials; i++) {
          const trial = await revocationTrial(a, b, 'odin@asgard.example');
          latencies.push(trial.latencyMs);
          staleAccepts += trial.staleAccepts;
        }
        latencies.sort((x, y) => x - y);
        const result: RevocationResult = {
          kind: 'revocation',
          id: options.id,
          title: options.title,
          store: options.store,
          trials: latencies.length,
          latencyMs: {
            p50: round(percentileOfSorted(latencies, 50), 3),
            p99: round(percentileOfSorted(latencies, 99), 3),
            max: round(latencies.at(-1) ?? 0, 3),
          },
          staleAccepts,
        };
        ctx.progress.log(
          `${result.trials} revocations: refused by the other instance after p50 ${result.latencyMs.p50} ms, ` +
            `max ${result.latencyMs.max} ms; ${staleAccepts} stale accepts`,
        );
        return result;
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    },
  };
}

export const heimdallRevocationSqlite = revocationScenario({
  id: 'heimdall-revocation-sqlite',
  title: 'Revocation to refusal across two instances, shared SQLite file',
  store: 'SQLite (one file, two processes)',
  env: async () => ({}),
});

export const heimdallRevocationRedis = revocationScenario({
  id: 'heimdall-revocation-redis-cached',
  title: 'Revocation to refusal across two instances, Redis with the client-side cache',
  store: 'Redis + client-side cache',
  env: async (ctx) => {
    const redis = await ctx.redis();
    await redis.command('FLUSHALL');
    return { REDIS_URL: redis.url };
  },
});

heimdallRevocationRedis.unavailable = heimdallRedisUnsupported;
