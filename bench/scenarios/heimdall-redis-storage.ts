import { join } from 'node:path';
import { loginUser, registerUser, startHeimdall } from '../lib/heimdall.js';
import { SESSIONS_PER_USER } from '../lib/population.js';
import type { RedisServer } from '../lib/redis.js';
import { round } from '../lib/stats.js';
import type { KeyUsage, StorageResult } from '../report/results.js';
import { heimdallRedisUnsupported } from './redis-probe.js';
import type { Scenario } from './types.js';

async function inBatches(count: number, width: number, work: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < count; start += width) {
    await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, k) => work(start + k)));
  }
}

/** MEMORY USAGE of every key matching a pattern, in one script: count, total, median, max. */
const USAGE_SCRIPT = `
local keys = redis.call('KEYS', ARGV[1])
local sizes = {}
local total = 0
for i, key in ipairs(keys) do
  local bytes = redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')
  sizes[i] = bytes
  total = total + bytes
end
table.sort(sizes)
local n = #sizes
if n == 0 then return {0, 0, 0, 0} end
return {n, total, sizes[math.floor((n + 1) / 2)], sizes[n]}
`;

/** The keys Heimdall writes for sessions (docs/deploy/redis.md, "What lives where"). */
const SESSION_KEYS = [
  { key: 'hd:s:{tokenHash}', pattern: 'hd:s:*', what: 'the session record' },
  { key: 'hd:sid:{sessionId}', pattern: 'hd:sid:*', what: 'id → token hash (revoke by id)' },
  { key: 'hd:us:{userId}', pattern: 'hd:us:*', what: "the user's index (shared by the user's sessions)" },
];

async function keyUsage(redis: RedisServer, sessions: number): Promise<KeyUsage[]> {
  const usage: KeyUsage[] = [];
  for (const { key, pattern, what } of SESSION_KEYS) {
    const out = await redis.command('EVAL', USAGE_SCRIPT, '0', pattern);
    const [keys, total, medianBytes, maxBytes] = out.split('\n').map(Number) as [number, number, number, number];
    usage.push({ key, what, keys, medianBytes, maxBytes, bytesPerSession: round(total / sessions, 1) });
  }
  return usage;
}

/**
 * Bytes per session in Redis, two ways. (1) Redis' used_memory before and after signing every user in
 * SESSIONS_PER_USER more times, ÷ sessions added: everything a session costs there — its record, its id key, its
 * member in the user's index, the expiry entries, and the allocator's and hash tables' own overhead. (2) `MEMORY
 * USAGE` of each key afterwards: the record alone is issue 4's figure (goal ≤ 400 B).
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
      // Every user now holds 1 + SESSIONS_PER_USER sessions (the sign-up's and the sign-ins').
      const usage = await keyUsage(redis, users * (1 + SESSIONS_PER_USER));
      const record = usage[0]!;
      const trackedKeys = Number(/tracking_total_keys:(\d+)/.exec(await redis.command('INFO', 'stats'))?.[1] ?? 0);
      ctx.progress.log(
        `${sessions.toLocaleString('en-US')} sessions: ${bytesPerSession} bytes each in Redis (used_memory); ` +
          `the record ${record.medianBytes} bytes (MEMORY USAGE, median of ${record.keys.toLocaleString('en-US')})`,
      );
      return {
        kind: 'storage',
        id: this.id,
        title: this.title,
        store: 'redis',
        sessions,
        bytesPerSession,
        method: `Redis used_memory before and after ${SESSIONS_PER_USER} more sign-ins per user, ÷ sessions added`,
        keyUsage: usage,
        trackedKeys,
      };
    } finally {
      await heimdall.stop();
    }
  },
};
