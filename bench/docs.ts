// npm run bench:docs [-- <results.json>]: regenerates the docs from a results file (default: the newest committed run).
import { relative, resolve } from 'node:path';
import { repoRoot } from './lib/paths.js';
import { generateDocs, latestResults } from './report/generate.js';

const file = process.argv[2] ? resolve(process.argv[2]) : latestResults();
for (const written of await generateDocs(file)) process.stdout.write(`wrote ${relative(repoRoot(), written)}\n`);
