import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fromRoot, repoRoot } from '../lib/paths.js';
import { chartSpecs, renderSvg } from './charts.js';
import { derive } from './derive.js';
import { evidenceMarkdown } from './evidence.js';
import { benchmarksMarkdown, README_END, README_START, readmeSection } from './markdown.js';
import type { RunResults } from './results.js';

/** The newest committed full run under bench/results/. */
export function latestResults(): string {
  const dir = fromRoot('bench', 'results');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (!files.length) throw new Error('no results under bench/results/: run `npm run bench` first');
  return join(dir, files.at(-1)!);
}

/**
 * The newest committed run with `partial`'s scenarios put in (replacing those with the same id, new ones after the
 * last), and a note of the re-measurement.
 */
export function mergeIntoLatest(partial: RunResults): RunResults {
  const base = JSON.parse(readFileSync(latestResults(), 'utf8')) as RunResults;
  const ids = new Set(partial.scenarios.map((s) => s.id));
  const scenarios = base.scenarios.map((s) => partial.scenarios.find((p) => p.id === s.id) ?? s);
  for (const s of partial.scenarios) if (!base.scenarios.some((b) => b.id === s.id)) scenarios.push(s);
  return {
    ...base,
    scenarios,
    remeasured: [
      ...(base.remeasured ?? []).map((r) => ({ ...r, scenarios: r.scenarios.filter((id) => !ids.has(id)) })),
      {
        scenarios: [...ids],
        startedAt: partial.startedAt,
        heimdallCommit: partial.environment.heimdallCommit,
        loadAvgStart: partial.environment.loadAvgStart,
        loadAvgEnd: partial.environment.loadAvgEnd,
      },
    ].filter((r) => r.scenarios.length > 0),
  };
}

/** Replaces the README's generated block (between the bench markers) with the new one. */
export function replaceReadmeSection(readme: string, section: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end === -1) throw new Error('README.md has no bench:start/bench:end markers');
  return readme.slice(0, start) + section + readme.slice(end + README_END.length);
}

/**
 * Writes docs/benchmarks.md, docs/evidence.md, docs/charts/*.svg and the README's figures from one results file.
 * With `outDir` everything goes there instead (quick and partial runs), the README untouched.
 */
export async function generateDocs(resultsFile: string, outDir?: string): Promise<string[]> {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as RunResults;
  const d = derive(results);
  const source = relative(repoRoot(), resultsFile);
  const docs = outDir ?? fromRoot('docs');
  const charts = join(docs, 'charts');
  mkdirSync(charts, { recursive: true });
  const written: string[] = [];
  const write = (file: string, text: string) => {
    writeFileSync(file, text);
    written.push(file);
  };
  write(join(docs, 'benchmarks.md'), benchmarksMarkdown(d, source));
  write(join(docs, 'evidence.md'), evidenceMarkdown(d, source));
  for (const [name, spec] of Object.entries(chartSpecs(d))) write(join(charts, name), `${await renderSvg(spec)}\n`);
  const section = readmeSection(d);
  if (outDir) {
    write(join(outDir, 'README-section.md'), `${section}\n`);
  } else {
    const readme = fromRoot('README.md');
    write(readme, replaceReadmeSection(readFileSync(readme, 'utf8'), section));
    // The generated Markdown goes through the project's formatter, so `biome check` stays clean after every run.
    const markdown = written.filter((f) => f.endsWith('.md'));
    execFileSync(fromRoot('node_modules', '.bin', 'biome'), ['format', '--write', ...markdown], { stdio: 'ignore' });
  }
  return written;
}
