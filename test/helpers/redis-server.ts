import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort, waitFor } from './free-port.js';

const execFileAsync = promisify(execFile);

export interface RedisServerOptions {
  /** Append-only file with fsync on every write, so a SIGKILL loses nothing (persistence tests). */
  appendOnly?: boolean;
  /** Start as a Redis Cluster node (the cluster helper forms the cluster). */
  cluster?: boolean;
  /** Port to use; by default a free one. */
  port?: number;
  /** Directory for data and logs; by default a new temp directory, removed by stop(). */
  dir?: string;
  extraArgs?: string[];
}

/** Runs `redis-cli` against a loopback port and returns its trimmed output. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: 10_000,
  });
  return stdout.trim();
}

/**
 * A throwaway redis-server on 127.0.0.1 in a temp directory. stop() ends it and removes the directory; kill() and
 * restart() are for fault tests (the data directory, and with it the append-only file, survives a kill).
 */
export class RedisServer {
  readonly port: number;
  readonly dir: string;
  readonly #options: RedisServerOptions;
  readonly #ownsDir: boolean;
  #process: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  private constructor(port: number, dir: string, ownsDir: boolean, options: RedisServerOptions) {
    this.port = port;
    this.dir = dir;
    this.#ownsDir = ownsDir;
    this.#options = options;
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const port = options.port ?? (await findFreePort());
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'heimdall-redis-'));
    const server = new RedisServer(port, dir, options.dir === undefined, options);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#process !== undefined;
  }

  /** Starts the process again on the same port and directory (after kill() or stop({ keepDir: true })). */
  async restart(): Promise<void> {
    if (this.#process) throw new Error('redis-server is already running');
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--daemonize',
      'no',
      '--logfile',
      join(this.dir, 'redis.log'),
      '--appendonly',
      this.#options.appendOnly ? 'yes' : 'no',
      '--appendfsync',
      'always',
    ];
    if (this.#options.cluster) {
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '1000');
    }
    args.push(...(this.#options.extraArgs ?? []));
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.#process = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => {
      if (this.#process === child) this.#process = undefined;
    });
    try {
      await waitFor(`redis-server on port ${this.port}`, async () =>
        (await redisCli(this.port, 'PING')) === 'PONG' ? true : undefined,
      );
    } catch (error) {
      throw new Error(`redis-server did not start:\n${this.log()}`, { cause: error });
    }
  }

  /** SIGKILL: no shutdown, no save; the data directory stays for restart(). */
  async kill(): Promise<void> {
    const child = this.#process;
    if (!child) return;
    child.kill('SIGKILL');
    await this.#exited;
  }

  /** SIGSTOP: the server keeps its connections open and answers nothing (a hung Redis) until resume(). */
  pause(): void {
    this.#process?.kill('SIGSTOP');
  }

  /** SIGCONT after pause(). */
  resume(): void {
    this.#process?.kill('SIGCONT');
  }

  /** Ends the server and removes its directory (unless keepDir, or the directory was given). */
  async stop(options: { keepDir?: boolean } = {}): Promise<void> {
    const child = this.#process;
    if (child) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await this.#exited;
      clearTimeout(timer);
    }
    if (this.#ownsDir && !options.keepDir) rmSync(this.dir, { recursive: true, force: true });
  }

  cli(...args: string[]): Promise<string> {
    return redisCli(this.port, ...args);
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'redis.log'), 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
