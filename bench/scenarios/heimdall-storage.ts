import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { type HeimdallInstance, registerUser, startHeimdall } from '../lib/heimdall.js';
import { measureThroughput, roundOrder, summarise } from '../lib/measure.js';
import { SESSIONS_PER_USER } from '../lib/population.js';
import { SessionSeeder } from '../lib/sqlite-seed.js';
import { round } from '../lib/stats.js';
import type { LookupScaleResult, Round, StorageResult } from '../report/results.js';
import type { BenchContext, Scenario } from './types.js';

type SqlLookup = LookupScaleResult['points'][number]['sqlLookupUs'];

/** A fresh Heimdall database holding one real session (from a real sign-in), the template for seeding. */
async function databaseWithOneSession(ctx: BenchContext) {
  const dataDir = join(ctx.tmpDir, 'heimdall');
  const heimdall = await startHeimdall({ dataDir });
  try {
    await registerUser(heimdall, 'odin@asgard.example');
  } finally {
    await heimdall.stop();
  }
  return { dataDir, dbPath: heimdall.dbPath, secret: heimdall.env.HEIMDALL_SECRET! };
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
 * token hashes are random) are read at both sizes, so only the number stored changes. Two copies of one database
 * are served side by side, the large one grown from a copy of the small one, and their rounds alternate (small,
 * large, then large, small, …): a slow minute of the shared machine then lands on both sizes instead of passing for
 * a cost of the larger table.
 */
export const heimdallLookupScale: Scenario = {
  id: 'heimdall-lookup-scale',
  title: 'Session lookup at 10k vs 1M stored sessions (SQLite)',
  async run(ctx): Promise<LookupScaleResult> {
    const template = await databaseWithOneSession(ctx);
    const sizes = ctx.options.lookupSizes;
    const active = Math.min(ctx.options.activeSessions, sizes[0]);
    const copies: Array<{ stored: number; dataDir: string; seedSeconds: number; sqlLookupUs: SqlLookup }> = [];
    let secrets: string[] = [];
    for (const [index, stored] of sizes.entries()) {
      // Each larger copy starts from the previous one, so it holds the same active sessions and users.
      const dataDir = index === 0 ? template.dataDir : join(ctx.tmpDir, `heimdall-${stored}`);
      if (index > 0) cpSync(copies[index - 1]!.dataDir, dataDir, { recursive: true });
      const seeder = new SessionSeeder(join(dataDir, 'heimdall.db'));
      try {
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
        copies.push({ stored, dataDir, seedSeconds, sqlLookupUs: seeder.timeLookups(secrets, 20_000) });
      } finally {
        // Closing the last connection folds the WAL into the file, so the next copy takes the whole database.
        seeder.close();
      }
    }
    // Both copies' sessions seen at the same moment: their last-seen writes (one per session and minute) then fall
    // in the same minutes of the run at both sizes.
    for (const copy of copies) {
      const seeder = new SessionSeeder(join(copy.dataDir, 'heimdall.db'));
      try {
        seeder.markSeen(secrets);
      } finally {
        seeder.close();
      }
    }
    const servers: HeimdallInstance[] = [];
    try {
      for (const copy of copies) {
        // The copies share the template's signing keys, which its secret decrypts.
        servers.push(
          await startHeimdall({
            dataDir: copy.dataDir,
            env: { HEIMDALL_SECRET: template.secret },
            label: `${copy.stored}`,
          }),
        );
      }
      const cookies = secrets.map((s) => `__Host-heimdall=${s}`);
      const targetOf = (c: number) => ({
        server: servers[c]!.process,
        request: { url: `${servers[c]!.baseUrl}/api/session`, cookies },
      });
      // One round each that is not counted: in trial runs, rounds in the first minute or two after a million rows
      // were written took up to 1.7 times the CPU per request of later ones, whichever size they read.
      for (const [c, copy] of copies.entries()) {
        const label = `${copy.stored.toLocaleString('en-US')} stored (settling, not counted)`;
        await measureThroughput(ctx, label, targetOf(c), { rounds: 1 });
      }
      const rounds: Round[][] = copies.map(() => []);
      const count = ctx.options.rounds;
      const indexes = copies.map((_, c) => c);
      for (let i = 0; i < count; i++) {
        for (const c of roundOrder(indexes, i)) {
          const label = `${copies[c]!.stored.toLocaleString('en-US')} stored (${i + 1} of ${count})`;
          const measured = await measureThroughput(ctx, label, targetOf(c), { rounds: 1 });
          rounds[c]!.push(...measured.rounds);
        }
      }
      return {
        kind: 'lookup-scale',
        id: this.id,
        title: this.title,
        activeSessions: secrets.length,
        sessionsPerUser: SESSIONS_PER_USER,
        interleaved: true,
        points: copies.map((copy, c) => ({
          stored: copy.stored,
          seedSeconds: copy.seedSeconds,
          saturation: summarise(rounds[c]!),
          sqlLookupUs: copy.sqlLookupUs,
        })),
      };
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  },
};
