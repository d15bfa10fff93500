import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './free-port.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface HeimdallProcessOptions {
  /** Settings on top of the test defaults (free port, cheap argon2, fixed secret, temp data dir). */
  env?: Record<string, string>;
  /** Shown in errors, e.g. "A". */
  name?: string;
  startTimeoutMs?: number;
}

/**
 * A real Heimdall server: `node dist/main.js` (built by `npm test`'s pretest) on a free loopback port, ready once it
 * logs its listening line. stop() sends SIGTERM (graceful), kill() SIGKILL; both wait for the exit.
 */
export class HeimdallProcess {
  readonly name: string;
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #dataDir: string;
  readonly #output: string[];

  private constructor(
    name: string,
    url: string,
    child: ChildProcess,
    exited: Promise<void>,
    dataDir: string,
    output: string[],
  ) {
    this.name = name;
    this.url = url;
    this.#child = child;
    this.#exited = exited;
    this.#dataDir = dataDir;
    this.#output = output;
  }

  static async start(options: HeimdallProcessOptions = {}): Promise<HeimdallProcess> {
    const name = options.name ?? 'heimdall';
    const dataDir = mkdtempSync(join(tmpdir(), 'heimdall-process-'));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_URL: `sqlite:${join(dataDir, 'heimdall.db')}`,
      HEIMDALL_DATA_DIR: dataDir,
      HEIMDALL_SECRET: 'test-secret-test-secret-test-secret-0123',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_ITERATIONS: '1',
      ...options.env,
    };
    const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    let url: string | undefined;
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        output.push(line);
        if (output.length > 500) output.shift();
        const match = /Heimdall listening on (http:\/\/[^\s"]+)/.exec(line);
        if (match) url = match[1];
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let exitCode: number | null | undefined;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code) => {
        exitCode = code;
        resolve();
      }),
    );
    try {
      const ready = await waitFor(
        `Heimdall ${name} to listen`,
        () => {
          if (exitCode !== undefined) throw new Error(`exited with ${exitCode}`);
          return url;
        },
        options.startTimeoutMs ?? 30_000,
      );
      return new HeimdallProcess(name, ready, child, exited, dataDir, output);
    } catch (error) {
      child.kill('SIGKILL');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`Heimdall ${name} did not start:\n${output.join('\n')}`, { cause: error });
    }
  }

  /** The last lines it printed (pino JSON), for failure messages. */
  logs(): string {
    return this.#output.join('\n');
  }

  async stop(): Promise<void> {
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(timer);
    rmSync(this.#dataDir, { recursive: true, force: true });
  }

  async kill(): Promise<void> {
    this.#child.kill('SIGKILL');
    await this.#exited;
    rmSync(this.#dataDir, { recursive: true, force: true });
  }
}
