import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url);
const dockerfile = readFileSync(new URL('Dockerfile', ROOT), 'utf8');

/** Instructions with continuation lines joined and comments dropped, split into build stages. */
function stages(): string[][] {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const result: string[][] = [];
  for (const instruction of instructions) {
    if (/^FROM\s/i.test(instruction)) result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

describe('Dockerfile (no Docker engine in CI: these rules stand in for building it)', () => {
  const all = stages();
  const runtime = all.at(-1) ?? [];

  it('is multi-stage: tools and dev dependencies stay in the build stage', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(runtime.join('\n')).not.toMatch(/apt-get|g\+\+|python3|npm (ci|install)/);
    for (const copy of runtime.filter((i) => /^COPY\s/i.test(i))) expect(copy).toMatch(/--from=build/);
  });

  it('pins its base image to a Node 20 release, never latest', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20\.\d+-bookworm-slim$/m);
    expect(dockerfile).not.toMatch(/:latest\b/);
  });

  it('runs as an unprivileged user, with the app files owned by root', () => {
    const user = runtime.filter((i) => /^USER\s/i.test(i)).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(\s|:|$)/i);
    const userAt = runtime.indexOf(user!);
    expect(runtime.findIndex((i) => /^CMD\s/i.test(i))).toBeGreaterThan(userAt);
    expect(runtime.filter((i) => /^COPY\s/i.test(i)).some((i) => /--chown/.test(i))).toBe(false);
  });

  it('downloads nothing at run time: exec-form CMD of the built server, readiness health check', () => {
    const cmd = runtime.find((i) => /^CMD\s/i.test(i))!;
    expect(JSON.parse(cmd.replace(/^CMD\s+/i, ''))).toEqual(['node', 'dist/main.js']);
    expect(runtime.join('\n')).not.toMatch(/\b(curl|wget|npx)\b/);
    expect(runtime.find((i) => /^HEALTHCHECK\s/i.test(i))).toMatch(/\/api\/ready/);
    expect(runtime).toContain('STOPSIGNAL SIGTERM');
  });

  it('keeps dependencies, data and history out of the build context', () => {
    const ignored = readFileSync(new URL('.dockerignore', ROOT), 'utf8').split('\n');
    for (const entry of ['.git', '**/node_modules', 'dist', 'data', '.env']) expect(ignored).toContain(entry);
  });
});
