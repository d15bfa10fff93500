import { join } from 'node:path';
import { registerUser, startHeimdall } from '../lib/heimdall.js';
import { measureThroughput } from '../lib/measure.js';
import { SESSIONS_PER_USER } from '../lib/population.js';
import { SessionSeeder } from '../lib/sqlite-seed.js';
import { round } from '../lib/stats.js';
import type { LookupScaleResult, StorageResult } from '../report/results.js';
import type { BenchContext, Scenario } from './types.js';

/** A fresh Heimdall database holding one real session (from a real sign-in), the template for seeding. */
async function databaseWithOneSession(ctx: BenchContext) {
  const dataDir = join(ctx.tmpDir, 'heimdall');
  const heimdall = await startHeimdall({ dataDir });
  try {
    await registerUser(heimdall, 'odin@asgard.example');
  } finally {
    await heimdall.stop();
  }
  return { dataDir, dbPath: heimdall.dbPath };
}

/** Bytes per stored session in SQLite: pages in use (tables and indexes) before and after seeding N sessions. */
export const heimdallSqliteStorage: Scenario = {
  id: 'heimdall-storage-sqlite',
  title: 'Bytes per session in SQLite (table and indexes)',
  async run(ctx): Promise<StorageResult> {
    const { dbPath } = await databaseWithOneSession(ctx);
    const seeder = new SessionSeeder(dbPath);
    try {
      const sessions = ctx.options.storageSessions;
      const before = seeder.usedBytes();
      seeder.addSessions(sessions);
      const after = seeder.usedBytes();
      const bytesPerSession = round((after - before) / sessions, 1);
      ctx.progress.log(`${sessions.toLocaleString('en-US')} sessions: ${bytesPerSession} bytes each`);
      return {
        kind: 'storage',
        id: this.id,
        title: this.title,
        store: 'sqlite',
        sessions,
        bytesPerSession,
        method: 'SQLite pages in use (page_count − freelist_count) × page_size, before and after, ÷ sessions',
      };
    } finally {
      seeder.close();
    }
  },
};

/**
 * GET /api/session with a small and a large table. The same active sessions (spread over the whole key range, as
 * token hashes are random) are read at both sizes, so only the number stored changes.
 */
export const heimdallLookupScale: Scenario = {
  id: 'heimdall-lookup-scale',
  title: 'Session lookup at 10k vs 1M stored sessions (SQLite)',
  async run(ctx): Promise<LookupScaleResult> {
    const { dataDir, dbPath } = await databaseWithOneSession(ctx);
    const [small, large] = ctx.options.lookupSizes;
    const active = Math.min(ctx.options.activeSessions, small);
    const points: LookupScaleResult['points'] = [];
    const seeder = new SessionSeeder(dbPath);
    let secrets: string[] = [];
    try {
      for (const stored of [small, large]) {
        const started = Date.now();
        const add = stored - seeder.count();
        // New users for each batch, SESSIONS_PER_USER each: the active users keep as many sessions at both sizes, so
        // their session lists (read for the anomaly warnings) stay as long and only the table grows.
        const owners = seeder.addUsers(Math.ceil(add / SESSIONS_PER_USER));
        // The first batch keeps its secrets; later batches only add bulk.
        const every = Math.max(1, Math.floor(add / active));
        const kept = seeder.addSessions(add, (i) => secrets.length === 0 && i % every === 0, owners);
        if (secrets.length === 0) secrets = kept.slice(0, active);
        const seedSeconds = round((Date.now() - started) / 1000, 1);
        ctx.progress.log(`${stored.toLocaleString('en-US')} sessions stored (${seedSeconds} s to seed)`);
        seeder.markSeen(secrets);
        const sqlLookupUs = seeder.timeLookups(secrets, 20_000);
        // The seeding connection stays open but idle while Heimdall runs (WAL: readers and one writer coexist).
        const heimdall = await startHeimdall({ dataDir });
        try {
          const cookies = secrets.map((s) => `__Host-heimdall=${s}`);
          const { alongside: _a, ...saturation } = await measureThroughput(
            ctx,
            `${stored.toLocaleString('en-US')} stored`,
            { server: heimdall.process, request: { url: `${heimdall.baseUrl}/api/session`, cookies } },
            { rounds: ctx.options.slowRounds },
          );
          points.push({ stored, seedSeconds, saturation, sqlLookupUs });
        } finally {
          await heimdall.stop();
        }
      }
    } finally {
      seeder.close();
    }
    return {
      kind: 'lookup-scale',
      id: this.id,
      title: this.title,
      activeSessions: secrets.length,
      sessionsPerUser: SESSIONS_PER_USER,
      points,
    };
  },
};
