import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './heimdall-process.js';

export interface ExampleApp {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Installs an app under examples/ from its own package.json and lockfile (heimdall-auth is file:../..): from npm's
 * cache where it can, from the registry for what the root install did not bring (a fresh machine's cache holds only
 * the root lockfile's packages; `--offline` failed there on express's own dependencies).
 */
export function installExample(name: string): string {
  const dir = join(ROOT, 'examples', name);
  execFileSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    stdio: 'pipe',
    timeout: 180_000,
  });
  return dir;
}

/** Starts `node server.js` in the example and resolves with its URL once it says where it listens. */
export function startExample(dir: string, env: Record<string, string>): Promise<ExampleApp> {
  const child = spawn(process.execPath, ['server.js'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`the example did not start:\n${output}`)), 20_000);
    const check = () => {
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (!match) return;
      clearTimeout(deadline);
      resolve({
        child,
        url: match[1]!,
        output: () => output,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`the example exited with ${code}:\n${output}`));
    });
  });
}
