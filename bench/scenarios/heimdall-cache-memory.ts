import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BROWSER_UA, COOKIE_NAME, registerUser, startHeimdall } from '../lib/heimdall.js';
import { runLoads } from '../lib/load.js';
import { request } from '../lib/net.js';
import { fromRoot } from '../lib/paths.js';
import { SESSIONS_PER_USER } from '../lib/population.js';
import type { ManagedProcess } from '../lib/proc.js';
import { RedisSessionSeeder } from '../lib/redis-seed.js';
import { seedUsers } from '../lib/sqlite-seed.js';
import { round } from '../lib/stats.js';
import type { CacheMemoryPhase, CacheMemoryResult } from '../report/results.js';
import { heimdallRedisUnsupported } from './redis-probe.js';
import type { BenchContext, Scenario } from './types.js';

/**
 * Sessions read first, one for each of as many users of their own, so that the baseline already holds the compiled
 * code and every bounded memo full: the sessions kept decoded, the session and user views (4,096 each) and the
 * anomaly memo (10,000 users). With 2,000, as before issue 18's last step, those memos were still filling between
 * the baseline and the measurement, and a fixed 2-3 MiB counted as if each measured session cost a share of it. The
 * cache holds the warm-up's sessions beside the measured ones (CACHE_MAX_ENTRIES is both), so none is evicted while
 * the measured ones are read. `--quick` warms up with 2,000.
 */
const WARM_UP_SESSIONS = 12_000;
const QUICK_WARM_UP_SESSIONS = 2_000;

function cookiesOf(secrets: string[]): string[] {
  return secrets.map((secret) => `${COOKIE_NAME}=${secret}`);
}

/** The cache gauges from /metrics: entries per in-process cache. */
async function cacheEntries(baseUrl: string, token: string): Promise<Record<string, number>> {
  const response = await request(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const entries: Record<string, number> = {};
  for (const match of response.body.matchAll(/^heimdall_cache_entries\{cache="([^"]+)"\} (\d+)$/gm)) {
    entries[match[1]!] = Number(match[2]);
  }
  return entries;
}

interface ProcessMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

/**
 * Asks the process (preloaded with lib/memory-probe.mjs) to collect its garbage and report its memory: RSS alone
 * would also count garbage not yet collected, which after 100k reads is a large and random share.
 */
function memoryProbe(server: ManagedProcess): () => Promise<ProcessMemory> {
  const waiting: Array<(memory: ProcessMemory) => void> = [];
  createInterface({ input: server.child.stdout! }).on('line', (line) => {
    if (line.startsWith('{"memoryProbe"'))
      waiting.shift()?.((JSON.parse(line) as { memoryProbe: ProcessMemory }).memoryProbe);
  });
  return () =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the memory probe did not answer')), 30_000);
      waiting.push((memory) => {
        clearTimeout(timer);
        resolve(memory);
      });
      server.child.kill('SIGUSR2');
    });
}

/** Reads every session once, each with its own cookie, as fast as the server answers; CPU µs per request. */
async function readEach(ctx: BenchContext, server: ManagedProcess, url: string, cookies: string[]): Promise<number> {
  let cpuStart = 0;
  let cpuEnd = 0;
  const [result] = await runLoads(
    [
      {
        url,
        headers: { 'user-agent': BROWSER_UA },
        cookies,
        amount: cookies.length,
        connections: ctx.options.connections,
        warmupSec: 0,
        durationSec: 0,
      },
    ],
    ctx.tmpDir,
    { onStart: () => (cpuStart = server.cpuTimeUs()), onEnd: () => (cpuEnd = server.cpuTimeUs()) },
  );
  if (!result || result.non2xx + result.errors > 0) {
    throw new Error(`reads failed: ${JSON.stringify(result?.statusCodes)} ${result?.errors} errors`);
  }
  return round((cpuEnd - cpuStart) / result.ok, 2);
}

/**
 * Server memory per 100k sessions held in the client-side cache (Redis). Sessions are written into Redis through
 * Heimdall's own store (as sign-ins write them; seeding 150k by sign-in would take minutes of argon2), then read
 * through GET /api/session, once each: RSS before and after (each after a full garbage collection) is what holding
 * them costs. Reading them again (all hits)
 * and then reading half as many more than CACHE_MAX_ENTRIES allows shows the cache staying within its bound.
 */
export const heimdallCacheMemory: Scenario = {
  id: 'heimdall-rss-per-100k-cached',
  title: 'Server memory (RSS) per 100k sessions in the client-side cache (Redis)',
  unavailable: heimdallRedisUnsupported,
  async run(ctx): Promise<CacheMemoryResult> {
    const cached = ctx.options.quick ? 10_000 : 100_000;
    const overflow = cached / 2;
    const warming = ctx.options.quick ? QUICK_WARM_UP_SESSIONS : WARM_UP_SESSIONS;
    const maxEntries = warming + cached;
    const redis = await ctx.redis();
    await redis.command('FLUSHALL');
    const metricsToken = randomBytes(32).toString('base64url');
    const heimdall = await startHeimdall({
      dataDir: join(ctx.tmpDir, 'heimdall'),
      env: { REDIS_URL: redis.url, CACHE_MAX_ENTRIES: String(maxEntries), METRICS_TOKEN: metricsToken },
      nodeArgs: ['--expose-gc', '--import', fromRoot('bench', 'lib', 'memory-probe.mjs')],
    });
    const probe = memoryProbe(heimdall.process);
    const seeder = await RedisSessionSeeder.open(redis.url);
    try {
      const template = await registerUser(heimdall, 'odin@asgard.example');
      const templateSecret = template.cookie.split('=')[1]!.split(';')[0]!;
      const started = Date.now();
      // The warm-up's users are not the measured sessions' users, so none of the latter is in memory at the baseline.
      const warmUsers = seedUsers(heimdall.dbPath, warming);
      const users = seedUsers(heimdall.dbPath, Math.ceil((cached + overflow) / SESSIONS_PER_USER));
      const warmSecrets = await seeder.addSessions(templateSecret, warmUsers, warming);
      const secrets = await seeder.addSessions(templateSecret, users, cached + overflow);
      ctx.progress.log(
        `${(warming + cached + overflow).toLocaleString('en-US')} sessions of ` +
          `${(warmUsers.length + users.length).toLocaleString('en-US')} users written to Redis ` +
          `in ${round((Date.now() - started) / 1000, 1)} s`,
      );
      const url = `${heimdall.baseUrl}/api/session`;
      const warmUp = cookiesOf(warmSecrets);
      const filled = cookiesOf(secrets.slice(0, cached));
      const beyond = cookiesOf(secrets.slice(cached));
      await readEach(ctx, heimdall.process, url, warmUp);
      await readEach(ctx, heimdall.process, url, warmUp);
      const phase = async (label: string, cpuUsPerReq: number | null): Promise<CacheMemoryPhase> => {
        const memory = await probe();
        const result = {
          label,
          rssBytes: memory.rss,
          heapUsedBytes: memory.heapUsed,
          heapTotalBytes: memory.heapTotal,
          externalBytes: memory.external,
          entries: await cacheEntries(heimdall.baseUrl, metricsToken),
          cpuUsPerReq,
        };
        ctx.progress.log(
          `${label}: RSS ${(result.rssBytes / 2 ** 20).toFixed(1)} MiB, heap ${(result.heapUsedBytes / 2 ** 20).toFixed(1)} MiB, ` +
            `external ${(result.externalBytes / 2 ** 20).toFixed(1)} MiB, ` +
            `entries ${JSON.stringify(result.entries)}` +
            (cpuUsPerReq === null ? '' : `, ${cpuUsPerReq} µs CPU/req`),
        );
        return result;
      };
      const phases = [await phase('warmed up (baseline)', null)];
      phases.push(
        await phase(
          `each of ${filled.length.toLocaleString('en-US')} sessions read once (all misses)`,
          await readEach(ctx, heimdall.process, url, filled),
        ),
      );
      phases.push(
        await phase('the same sessions read again (all hits)', await readEach(ctx, heimdall.process, url, filled)),
      );
      phases.push(
        await phase(
          `${beyond.length.toLocaleString('en-US')} more sessions than CACHE_MAX_ENTRIES read (oldest dropped)`,
          await readEach(ctx, heimdall.process, url, beyond),
        ),
      );
      // The warm-up's sessions were in the cache at the baseline and were pushed out by the fill: count what was added.
      const added = (phases[1]!.entries.sessions ?? 0) - (phases[0]!.entries.sessions ?? 0);
      if (added <= 0)
        throw new Error(`the session cache did not grow: ${JSON.stringify(phases.map((p) => p.entries))}`);
      const perSession = (key: 'rssBytes' | 'heapUsedBytes') => (phases[1]![key] - phases[0]![key]) / added;
      return {
        kind: 'cache-memory',
        id: this.id,
        title: this.title,
        sessions: cached,
        warmUpSessions: warming,
        addedSessions: added,
        sessionsPerUser: SESSIONS_PER_USER,
        maxEntries,
        route: 'GET /api/session',
        rssPer100kMiB: round((perSession('rssBytes') * 100_000) / 2 ** 20, 1),
        heapPer100kMiB: round((perSession('heapUsedBytes') * 100_000) / 2 ** 20, 1),
        bytesPerSession: round(perSession('rssBytes'), 0),
        heapBytesPerSession: round(perSession('heapUsedBytes'), 0),
        phases,
      };
    } finally {
      await seeder.close();
      await heimdall.stop();
    }
  },
};
