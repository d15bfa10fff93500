import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Progress, silentProgress } from '../../bench/lib/progress.js';
import { QUICK, runBench } from '../../bench/lib/runner.js';
import { generateDocs } from '../../bench/report/generate.js';
import type { ReadResult } from '../../bench/report/results.js';
import {
  heimdallBearer,
  heimdallSessionRedis,
  heimdallSessionRedisCached,
  heimdallSessionSqlite,
} from '../../bench/scenarios/heimdall-reads.js';
import { interleaveReads } from '../../bench/scenarios/interleaved-reads.js';

// Proves the benchmark harness end to end on one tiny scenario: a real Heimdall process, real load generator
// processes, CPU read from /proc, results turned into docs. A few hundred requests; nothing about speed is asserted.
describe('the benchmark harness', () => {
  const out = mkdtempSync(join(tmpdir(), 'heimdall-bench-test-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('measures an authenticated read against a real Heimdall and writes the docs from the results', async () => {
    const options = { ...QUICK, warmupSec: 0, amount: 300, rounds: 1, sameLoadRate: 300 };
    const results = await runBench(options, [heimdallSessionSqlite], silentProgress());

    const read = results.scenarios[0] as ReadResult;
    expect(read.kind).toBe('read');
    expect(read.saturation.rounds[0]!.requests).toBeGreaterThanOrEqual(300);
    expect(read.saturation.rounds[0]!.non2xx).toBe(0);
    expect(read.saturation.cpuUsPerReq).toBeGreaterThan(0);
    expect(read.sameLoad?.rounds[0]?.requests).toBeGreaterThanOrEqual(300);
    expect(read.credential).toEqual({ header: 'cookie', bytes: '__Host-heimdall='.length + 43 });

    const file = join(out, 'results.json');
    writeFileSync(file, JSON.stringify(results));
    await generateDocs(file, join(out, 'docs'));
    expect(readFileSync(join(out, 'docs', 'benchmarks.md'), 'utf8')).toContain('Heimdall, SQLite (default)');
    expect(readFileSync(join(out, 'docs', 'charts', 'cpu-per-request.svg'), 'utf8')).toMatch(/^<svg/);
    expect(existsSync(join(out, 'docs', 'evidence.md'))).toBe(true);
  }, 120_000);

  it('interleaves reads: all servers up at once, one round of each in a rotating order, each on its own data and Redis', async () => {
    const options = { ...QUICK, warmupSec: 0, amount: 200, rounds: 2, sameLoadRate: 300 };
    const lines: string[] = [];
    // The Bearer read renews its access token (POST /api/tokens/refresh) before each of its rounds.
    const members = [heimdallSessionSqlite, heimdallSessionRedisCached, heimdallSessionRedis, heimdallBearer];
    const scenarios = interleaveReads(members);
    expect(scenarios).toHaveLength(1);
    const results = await runBench(options, scenarios, new Progress((line) => lines.push(line)));

    expect(results.scenarios.map((s) => s.id)).toEqual(members.map((m) => m.id));
    for (const read of results.scenarios as ReadResult[]) {
      expect(read.kind).toBe('read');
      expect(read.interleaved).toBe(true);
      expect(read.saturation.rounds).toHaveLength(2);
      // Both Redis members flush their Redis at start: on one shared Redis the first one's session would be gone.
      for (const r of read.saturation.rounds) expect([r.requests >= 200, r.non2xx, r.errors]).toEqual([true, 0, 0]);
    }
    expect((results.scenarios[0] as ReadResult).sameLoad?.rounds).toHaveLength(2);
    // Round 1 in the given order, round 2 rotated by one.
    const measured = lines.flatMap((line) => /· (heimdall-[\w-]+) · saturation \(/.exec(line)?.[1] ?? []);
    const [sqlite, cached, redis, bearer] = members.map((m) => m.id);
    expect(measured).toEqual([sqlite, cached, redis, bearer, cached, redis, bearer, sqlite]);

    const file = join(out, 'interleaved.json');
    writeFileSync(file, JSON.stringify(results));
    await generateDocs(file, join(out, 'interleaved-docs'));
    expect(readFileSync(join(out, 'interleaved-docs', 'benchmarks.md'), 'utf8')).toContain(
      'The rounds of its reads alternated',
    );
  }, 180_000);
});
