import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './net.js';
import { LOAD_CPU, ManagedProcess } from './proc.js';

const run = promisify(execFile);

/** A throwaway redis-server on a free loopback port, no persistence; pinned with the load generator. */
export interface RedisServer {
  url: string;
  port: number;
  process: ManagedProcess;
  /** One redis-cli command; returns its raw output. */
  command(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startRedis(dir: string): Promise<RedisServer> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  // Redis shares the load generator's CPU, not the server's: its CPU time is reported separately, and the server
  // under test keeps CPU 0 to itself.
  const proc = new ManagedProcess(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', join(dir)],
    { cpu: LOAD_CPU, label: 'redis-server' },
  );
  const command = async (...args: string[]) =>
    (await run('redis-cli', ['-p', String(port), '--raw', ...args], { encoding: 'utf8' })).stdout.trim();
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await command('PING')).includes('PONG')) break;
    } catch {
      // not up yet
    }
    if (!proc.running) throw new Error(`redis-server exited:\n${proc.output}`);
    if (Date.now() > deadline) throw new Error(`redis-server did not answer:\n${proc.output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, port, process: proc, command, stop: () => proc.stop() };
}
