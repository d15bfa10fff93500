import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN = join(ROOT, 'dist/main.js');
export const CLI = join(ROOT, 'dist/cli/heimdall.js');

export interface HeimdallProcess {
  child: ChildProcess;
  url: string;
  port: number;
  dir: string;
  /** Everything the process wrote to stdout/stderr so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A temporary working directory, removed by the returned cleanup. */
export function tempDir(prefix = 'heimdall-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs the built server (`node dist/main.js`, as `npm start` does) on a free port and resolves once its start-up
 * line says where it listens.
 */
export async function startHeimdallProcess(env: Record<string, string> = {}, cwd?: string): Promise<HeimdallProcess> {
  const dir = cwd ?? tempDir().dir;
  const child = spawn(process.execPath, [MAIN], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ARGON2_MEMORY_KIB: '1024', ARGON2_ITERATIONS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`Heimdall did not start within 20 s:\n${output}`)), 20_000);
    const check = () => {
      const match = /Heimdall listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(deadline);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`Heimdall exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
