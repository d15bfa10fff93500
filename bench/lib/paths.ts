import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The repository root, found from this file whether it runs as TypeScript (tests) or compiled (bench/dist). */
export function repoRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'bench', 'lib', 'load-worker.mjs'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (bench/lib/load-worker.mjs)');
    dir = parent;
  }
  root = dir;
  return dir;
}

export const fromRoot = (...parts: string[]) => join(repoRoot(), ...parts);
