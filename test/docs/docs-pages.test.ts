import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigRecordingNames } from '../../src/config/unknown-variables.js';
import { ROOT } from '../helpers/heimdall-process.js';

/** Every Markdown page a reader of the repository meets: the front page, the contributors' page and docs/. */
function pages(): string[] {
  const found = ['README.md', 'CONTRIBUTING.md'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir))) {
      const path = join(dir, entry);
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (entry.endsWith('.md')) found.push(path);
    }
  };
  walk('docs');
  return found;
}

/** Relative link targets of a Markdown page (inline links and images), without their #fragment. */
function relativeLinks(markdown: string): string[] {
  const targets = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  return targets.filter((t) => !/^(https?:|mailto:|#)/.test(t)).map((t) => t.split('#')[0]!);
}

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

describe('the README is a front page', () => {
  const readme = read('README.md');

  it('fits in 15 kB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(15_000);
  });

  it('gives the two commands literally', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });

  it('has a quick start for the browser, curl, Express, Fastify and nginx, then links to the docs', () => {
    for (const heading of [
      '### In the browser',
      '### With curl',
      '**From Express**',
      '**From Fastify**',
      '**From nginx**',
    ]) {
      expect(readme).toContain(heading);
    }
    expect(readme).toContain('(docs/README.md)');
  });

  it('keeps the generated benchmark figures between their markers', () => {
    expect(readme).toMatch(/<!-- bench:start[\s\S]+<!-- bench:end -->/);
  });
});

describe('docs/', () => {
  it('has an index that links every page under docs/', () => {
    const index = read('docs/README.md');
    const linked = new Set(relativeLinks(index).map((t) => join('docs', t)));
    const missing = pages().filter((p) => p.startsWith('docs/') && p !== 'docs/README.md' && !linked.has(p));
    expect(missing).toEqual([]);
  });

  it('keeps every variable table in one place: only docs/configuration.md lists the variables', () => {
    const tables = pages().filter((p) => /^\| variable\s+\| default\s+\|/m.test(read(p)));
    expect(tables).toEqual(['docs/configuration.md']);
  });

  it('has no relative link to a file that does not exist or lies outside the repository', () => {
    const broken: string[] = [];
    for (const page of pages()) {
      for (const target of relativeLinks(read(page))) {
        const absolute = resolve(ROOT, dirname(page), target);
        const inside = !relative(ROOT, absolute).startsWith('..');
        if (!inside || !existsSync(absolute)) broken.push(`${page} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('docs/configuration.md, the one list of variables', () => {
  const page = read('docs/configuration.md');
  /** The first column of the variables table. */
  const documented = new Set([...page.matchAll(/^\| `([A-Z][A-Z0-9_<>]*)`\s+\|/gm)].map((m) => m[1]!));

  it('has a row for every variable the configuration reader reads (recorded as it reads them)', () => {
    const known = new Set<string>();
    readConfigRecordingNames({ OIDC_EXAMPLE_ISSUER: 'https://id.example', OIDC_EXAMPLE_CLIENT_ID: 'client' }, known);
    const read = [...known]
      .filter((name) => /^[A-Z][A-Z0-9_]*$/.test(name))
      .map((name) => name.replace(/^OIDC_EXAMPLE_/, 'OIDC_<NAME>_'));
    expect(read.filter((name) => !documented.has(name)).sort()).toEqual([]);
  });

  it('documents no variable the reader does not read', () => {
    const known = new Set<string>();
    readConfigRecordingNames({ OIDC_EXAMPLE_ISSUER: 'https://id.example', OIDC_EXAMPLE_CLIENT_ID: 'client' }, known);
    const stale = [...documented].filter((name) => !known.has(name.replace('<NAME>', 'EXAMPLE')));
    expect(stale).toEqual([]);
  });
});
