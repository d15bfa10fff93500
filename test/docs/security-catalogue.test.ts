import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const page = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
const folder = new URL('../security/', import.meta.url);
const attackFiles = readdirSync(folder)
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => name.replace(/\.test\.ts$/, ''));

/** The last cell of each table row of docs/security.md: the file(s) that hold the test, in backquotes. */
function namedFiles(): string[] {
  const names = new Set<string>();
  for (const line of page.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1);
    for (const match of (cells.at(-1) ?? '').matchAll(/`([a-z0-9/-]+)`/g)) names.add(match[1]!);
  }
  return [...names];
}

describe('docs/security.md and test/security/ describe the same attacks', () => {
  it('names every attack file of test/security/', () => {
    expect(
      attackFiles.filter((file) => !page.includes(`\`${file}\``) && !page.includes(`\`security/${file}\``)),
    ).toEqual([]);
  });

  it('names no test file that does not exist', () => {
    // A bare name is looked for in every test folder (most are in security/); `folder/name` in that folder only.
    const exists = (name: string) => {
      const [dirs, file] = name.includes('/')
        ? [[name.split('/')[0]!], name.split('/')[1]!]
        : [['security', 'integration', 'unit', 'e2e'], name];
      return dirs.some((dir) => {
        try {
          readFileSync(new URL(`../${dir}/${file}.test.ts`, import.meta.url));
          return true;
        } catch {
          return false;
        }
      });
    };
    const tableFiles = namedFiles().filter((name) => /^[a-z0-9-]+(\/[a-z0-9-]+)?$/.test(name) && name.includes('-'));
    expect(tableFiles.length).toBeGreaterThan(30);
    expect(tableFiles.filter((name) => !exists(name))).toEqual([]);
  });
});
