import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentProgress } from '../../bench/lib/progress.js';
import { QUICK, runBench } from '../../bench/lib/runner.js';
import { generateDocs } from '../../bench/report/generate.js';
import type { ReadResult } from '../../bench/report/results.js';
import { heimdallSessionSqlite } from '../../bench/scenarios/heimdall-reads.js';

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
});
