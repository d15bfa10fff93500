import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { freePort, waitForHttp } from './net.js';
import { fromRoot } from './paths.js';
import { ManagedProcess, SERVER_CPU } from './proc.js';

const PEERS = () => fromRoot('bench', 'peers');

/** Installs bench/peers' locked dependencies when they are missing or older than the lockfile. */
export async function ensurePeersInstalled(log: (line: string) => void): Promise<void> {
  const marker = fromRoot('bench', 'peers', 'node_modules', '.package-lock.json');
  const lock = fromRoot('bench', 'peers', 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing the peers (npm ci --prefix bench/peers; better-sqlite3 compiles, about a minute)');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['ci', '--prefix', PEERS(), '--no-audit', '--no-fund'], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm ci for bench/peers: exit ${code}`))));
  });
}

/** Versions of the peers' main packages as installed, for the results. */
export function peerVersions(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(fromRoot('bench', 'peers', 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const versions: Record<string, string> = {};
  for (const name of Object.keys(manifest.dependencies)) {
    const file = fromRoot('bench', 'peers', 'node_modules', name, 'package.json');
    if (existsSync(file)) versions[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return versions;
}

export interface RunningPeer {
  process: ManagedProcess;
  baseUrl: string;
}

/** Starts one peer server (bench/peers/<file>) alone on the server CPU and waits until it answers. */
export async function startPeer(file: string, env: Record<string, string> = {}): Promise<RunningPeer> {
  const port = await freePort();
  const proc = new ManagedProcess('node', [fromRoot('bench', 'peers', file)], {
    cpu: SERVER_CPU,
    env: { PORT: String(port), NODE_ENV: 'production', ...env },
    cwd: PEERS(),
    label: file,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/me`, 30_000, () => proc.running);
  } catch (error) {
    await proc.stop();
    throw new Error(`${String(error)}\n${proc.output}`);
  }
  return { process: proc, baseUrl };
}
