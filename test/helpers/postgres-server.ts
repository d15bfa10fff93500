import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findFreePort } from './free-port.js';

const execFileAsync = promisify(execFile);
/** PostgreSQL refuses to run as root; as root, the server runs as this user through runuser. */
const SERVER_USER = 'postgres';
const SUPERUSER = 'heimdall';

function postgresBin(tool: string): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const candidate = join(root, version, 'bin', tool);
      if (existsSync(candidate)) return candidate;
    }
  }
  return tool;
}

async function runAsServerUser(tool: string, args: string[]): Promise<string> {
  const binary = postgresBin(tool);
  const asRoot = process.getuid?.() === 0;
  const { stdout } = await execFileAsync(
    asRoot ? 'runuser' : binary,
    asRoot ? ['-u', SERVER_USER, '--', binary, ...args] : args,
    { timeout: 60_000 },
  );
  return stdout;
}

/**
 * A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free loopback port in a temp directory, trust auth, fsync
 * off. createDatabase() gives each suite a fresh database; stop() ends the server and removes the directory.
 */
export class PostgresServer {
  readonly port: number;
  readonly dir: string;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  static async start(): Promise<PostgresServer> {
    const dir = mkdtempSync(join(tmpdir(), 'heimdall-pg-'));
    if (process.getuid?.() === 0) {
      const { stdout } = await execFileAsync('id', ['-u', SERVER_USER]);
      const { stdout: gid } = await execFileAsync('id', ['-g', SERVER_USER]);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    const port = await findFreePort();
    const server = new PostgresServer(port, dir);
    try {
      await runAsServerUser('initdb', [
        '-D',
        server.dataDir,
        '-U',
        SUPERUSER,
        '--auth=trust',
        '--no-sync',
        '-E',
        'UTF8',
        '--locale=C',
      ]);
      await server.#pgCtl(
        'start',
        '-w',
        '-t',
        '60',
        '-l',
        server.logFile,
        '-o',
        `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
      );
    } catch (error) {
      const log = existsSync(server.logFile) ? readFileSync(server.logFile, 'utf8') : '';
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`PostgreSQL did not start:\n${log}`, { cause: error });
    }
    return server;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  get logFile(): string {
    return join(this.dir, 'postgres.log');
  }

  url(database = 'postgres'): string {
    return `postgres://${SUPERUSER}@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates a new, empty database and returns its URL. */
  async createDatabase(prefix = 'heimdall'): Promise<string> {
    const name = `${prefix}_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  async stop(): Promise<void> {
    await this.#pgCtl('stop', '-m', 'immediate', '-w').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  #pgCtl(...args: string[]): Promise<string> {
    return runAsServerUser('pg_ctl', ['-D', this.dataDir, ...args]);
  }
}
