import { join } from 'node:path';
import { registerUser, startHeimdall } from '../lib/heimdall.js';
import type { BenchContext } from './types.js';

const verdicts = new WeakMap<BenchContext['redis'], Promise<string | null>>();

/**
 * Null when Heimdall keeps its sessions in Redis given REDIS_URL, else why the Redis scenarios cannot run yet. Asked
 * once per run: start Heimdall on the run's Redis, sign up, and see whether any key appeared there.
 */
export function heimdallRedisUnsupported(ctx: BenchContext): Promise<string | null> {
  let verdict = verdicts.get(ctx.redis);
  if (!verdict) {
    verdict = (async () => {
      const redis = await ctx.redis();
      await redis.command('FLUSHALL');
      const heimdall = await startHeimdall({ dataDir: join(ctx.tmpDir, 'redis-probe'), env: { REDIS_URL: redis.url } });
      try {
        await registerUser(heimdall, 'probe@asgard.example');
        return Number(await redis.command('DBSIZE')) > 0
          ? null
          : 'Heimdall does not keep sessions in Redis yet (REDIS_URL is not used by this build)';
      } finally {
        await heimdall.stop();
      }
    })();
    verdicts.set(ctx.redis, verdict);
  }
  return verdict;
}
