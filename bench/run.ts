// npm run bench [-- --quick] [-- --only id,id] [-- --sequential] [-- --list]
// Measures every scenario in bench/scenarios (server on CPU 0, load on CPU 1), writes the results JSON and, for a
// full run, regenerates docs/benchmarks.md, docs/evidence.md, docs/charts/*.svg and the README's figures.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { heimdallBuilt } from './lib/heimdall.js';
import { fromRoot, repoRoot } from './lib/paths.js';
import { stopAllProcesses } from './lib/proc.js';
import { Progress } from './lib/progress.js';
import { FULL, QUICK, runBench } from './lib/runner.js';
import { generateDocs, mergeIntoLatest } from './report/generate.js';
import { SCENARIOS } from './scenarios/index.js';
import { interleaveReads } from './scenarios/interleaved-reads.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    list: { type: 'boolean', default: false },
    // With --only: merge what was measured into the newest committed run, as a new committed record (the docs say
    // which scenarios were re-measured, when and on what commit).
    record: { type: 'boolean', default: false },
    // The selected reads are measured in alternation (every server up at once, round 1 of each, then round 2, …), so
    // the ratios between them come from the same minutes; --sequential measures them one after another instead.
    // --interleave, the default, is still accepted (earlier records name it in their commands).
    sequential: { type: 'boolean', default: false },
    interleave: { type: 'boolean', default: true },
  },
});

if (values.list) {
  for (const s of SCENARIOS) process.stdout.write(`${s.id.padEnd(34)} ${s.title}\n`);
  process.exit(0);
}

const only = values.only?.split(',').map((id) => id.trim());
const selected = only ? SCENARIOS.filter((s) => only.includes(s.id)) : SCENARIOS;
const scenarios = values.sequential ? selected : interleaveReads(selected);
const unknown = only?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? [];
if (unknown.length) {
  process.stderr.write(`unknown scenario(s): ${unknown.join(', ')} (see --list)\n`);
  process.exit(2);
}
if (!heimdallBuilt()) {
  process.stderr.write('dist/main.js is missing: run `npm run build` first (npm run bench does)\n');
  process.exit(2);
}

process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted: stopping the servers\n');
  void stopAllProcesses().finally(() => process.exit(130));
});

const options = values.quick ? QUICK : FULL;
const progress = new Progress();
progress.log(
  `${values.quick ? 'quick' : 'full'} run: ${selected.length} scenarios, ${options.rounds} round(s) of ` +
    `${options.warmupSec} s warm-up + ${options.durationSec} s, ${options.connections} connections`,
);
// A partial record after every scenario, so a crash late in a long run still leaves what was measured.
const partial = fromRoot('bench', 'results', 'tmp', 'partial.json');
mkdirSync(fromRoot('bench', 'results', 'tmp'), { recursive: true });
const results = await runBench(options, scenarios, progress, (soFar) =>
  writeFileSync(partial, `${JSON.stringify(soFar, null, 2)}\n`),
);

const failed = results.scenarios.filter((s) => s.kind === 'failed');
if (values.record && failed.length) {
  // A failed scenario would replace a good committed row with a failure: nothing is recorded, the run goes to tmp.
  progress.log(`not recorded: ${failed.map((s) => s.id).join(', ')} failed`);
}
if (values.record && only && !values.quick && !failed.length) {
  const merged = mergeIntoLatest(results);
  const file = join(fromRoot('bench', 'results'), `${results.startedAt.replace(/[:.]/g, '-').slice(0, 19)}.json`);
  writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  progress.log(`merged into the committed record: ${relative(repoRoot(), file)}`);
  for (const written of await generateDocs(file)) progress.log(`wrote ${relative(repoRoot(), written)}`);
  process.exit(0);
}

// Only a complete full run becomes the committed record; quick and partial runs go to the ignored tmp folder.
const official = !values.quick && !only;
const stamp = results.startedAt.replace(/[:.]/g, '-').slice(0, 19);
const dir = official ? fromRoot('bench', 'results') : fromRoot('bench', 'results', 'tmp');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${stamp}${values.quick ? '-quick' : ''}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
progress.log(`results: ${relative(repoRoot(), file)}`);

const docs = await generateDocs(file, official ? undefined : join(dir, `${stamp}-docs`));
for (const written of docs) progress.log(`wrote ${relative(repoRoot(), written)}`);
if (failed.length) {
  progress.log(`${failed.length} scenario(s) failed: ${failed.map((s) => s.id).join(', ')}`);
  process.exitCode = 1;
}
