import { join } from 'node:path';
import { loginUser, registerUser, startHeimdall } from '../lib/heimdall.js';
import { round } from '../lib/stats.js';
import type { StorageResult } from '../report/results.js';
import { heimdallRedisUnsupported } from './redis-probe.js';
import type { Scenario } from './types.js';

/** Sessions per user: a few devices each, so the per-user index stays the size real users give it. */
const SESSIONS_PER_USER = 4;

async function inBatches(count: number, width: number, work: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < count; start += width) {
    await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, k) => work(start + k)));
  }
}

/**
 * Bytes per session in Redis: register users (one session each), read Redis' used_memory, sign each in
 * SESSIONS_PER_USER more times, read it again, divide by the sessions added. Counts everything a session costs there:
 * its record, its id index, its member in the user's index, and Redis' own per-key overhead.
 */
export const heimdallRedisStorage: Scenario = {
  id: 'heimdall-storage-redis',
  title: 'Bytes per session in Redis',
  unavailable: heimdallRedisUnsupported,
  async run(ctx): Promise<StorageResult> {
    const redis = await ctx.redis();
    await redis.command('FLUSHALL');
    const heimdall = await startHeimdall({
      dataDir: join(ctx.tmpDir, 'heimdall'),
      // Cheap hashing only speeds up the sign-ins; a session's size does not depend on it.
      env: { REDIS_URL: redis.url, ARGON2_MEMORY_KIB: '1024', ARGON2_ITERATIONS: '1', REGISTER_LIMIT_IP: '100000' },
    });
    try {
      const users = Math.ceil(ctx.options.storageSessions / SESSIONS_PER_USER);
      const email = (i: number) => `user${i}@bench.example`;
      await inBatches(users, 8, (i) => registerUser(heimdall, email(i)));
      const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.command('INFO', 'memory'))?.[1]);
      const before = await usedMemory();
      await inBatches(users * SESSIONS_PER_USER, 8, (i) => loginUser(heimdall, email(i % users)));
      const after = await usedMemory();
      const sessions = users * SESSIONS_PER_USER;
      const bytesPerSession = round((after - before) / sessions, 1);
      ctx.progress.log(`${sessions.toLocaleString('en-US')} sessions: ${bytesPerSession} bytes each in Redis`);
      return {
        kind: 'storage',
        id: this.id,
        title: this.title,
        store: 'redis',
        sessions,
        bytesPerSession,
        method: `Redis used_memory before and after ${SESSIONS_PER_USER} more sign-ins per user, ÷ sessions added`,
      };
    } finally {
      await heimdall.stop();
    }
  },
};
