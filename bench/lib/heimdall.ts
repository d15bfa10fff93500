import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cookiesFrom, freePort, type HttpResponse, postJson, request, waitForHttp } from './net.js';
import { fromRoot } from './paths.js';
import { ManagedProcess, SERVER_CPU } from './proc.js';

const run = promisify(execFile);

/** A desktop Chrome user agent, so stored sessions are as long as real ones (browser and OS parsed from it). */
export const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
export const BENCH_PASSWORD = 'bench horse battery staple 42';
export const COOKIE_NAME = '__Host-heimdall';

/** A running `node dist/main.js` with its own data directory, alone on the server CPU. */
export interface HeimdallInstance {
  process: ManagedProcess;
  baseUrl: string;
  dataDir: string;
  dbPath: string;
  env: Record<string, string>;
  /** Runs the `heimdall` CLI against the same database and environment. */
  cli(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export interface StartHeimdallOptions {
  dataDir: string;
  /** Extra environment (REDIS_URL, ARGON2_*, …). */
  env?: Record<string, string>;
  label?: string;
  /** Pin to this CPU (default: the server CPU); null leaves it unpinned. */
  cpu?: number | null;
  /** Extra arguments for node itself (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

/**
 * One HEIMDALL_SECRET per data directory: Heimdall encrypts its signing keys with it, so a restart over the same
 * database must present the same secret (a copy of a data directory is started with its original's: the
 * lookup-scale scenario passes it in `env`).
 */
const secrets = new Map<string, string>();

export function heimdallBuilt(): boolean {
  return existsSync(fromRoot('dist', 'main.js'));
}

function secretFor(dataDir: string): string {
  let secret = secrets.get(dataDir);
  if (!secret) {
    secret = randomBytes(32).toString('base64url');
    secrets.set(dataDir, secret);
  }
  return secret;
}

export async function startHeimdall(options: StartHeimdallOptions): Promise<HeimdallInstance> {
  if (!heimdallBuilt()) throw new Error('dist/main.js is missing: run `npm run build` first');
  mkdirSync(options.dataDir, { recursive: true });
  const port = await freePort();
  const dbPath = join(options.dataDir, 'heimdall.db');
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${dbPath}`,
    HEIMDALL_DATA_DIR: options.dataDir,
    HEIMDALL_SECRET: secretFor(options.dataDir),
    ...options.env,
  };
  const proc = new ManagedProcess('node', [...(options.nodeArgs ?? []), fromRoot('dist', 'main.js')], {
    ...(options.cpu === null ? {} : { cpu: options.cpu ?? SERVER_CPU }),
    env,
    cwd: options.dataDir,
    label: options.label ?? 'heimdall',
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/api/health`, 20_000, () => proc.running);
  } catch (error) {
    await proc.stop();
    throw new Error(`${String(error)}\n${proc.output}`);
  }
  return {
    process: proc,
    baseUrl,
    dataDir: options.dataDir,
    dbPath,
    env,
    async cli(args) {
      const { stdout } = await run('node', [fromRoot('dist', 'cli', 'heimdall.js'), ...args], {
        env: { ...process.env, ...env },
        cwd: options.dataDir,
      });
      return stdout;
    },
    stop: () => proc.stop(),
  };
}

/** A signed-in browser as the harness sees it: the Cookie header to send and the CSRF token for unsafe requests. */
export interface SignedIn {
  cookie: string;
  csrfToken: string;
  userId: string;
  sessionId: string;
}

function signedIn(response: HttpResponse, what: string): SignedIn {
  if (response.status !== 200 && response.status !== 201) {
    throw new Error(`${what}: ${response.status} ${response.body}`);
  }
  const body = response.json<{ user: { id: string }; session: { id: string }; csrfToken: string }>();
  return { cookie: cookiesFrom(response), csrfToken: body.csrfToken, userId: body.user.id, sessionId: body.session.id };
}

export async function registerUser(h: HeimdallInstance, email: string): Promise<SignedIn> {
  const response = await postJson(
    `${h.baseUrl}/api/auth/register`,
    { email, password: BENCH_PASSWORD, name: email.split('@')[0] },
    { 'user-agent': BROWSER_UA },
  );
  return signedIn(response, `register ${email}`);
}

export async function loginUser(h: HeimdallInstance, email: string): Promise<SignedIn> {
  const response = await postJson(
    `${h.baseUrl}/api/auth/login`,
    { email, password: BENCH_PASSWORD },
    { 'user-agent': BROWSER_UA },
  );
  return signedIn(response, `login ${email}`);
}

/** GET with the session cookie; used to check a credential works before measuring with it. */
export function getWithCookie(h: HeimdallInstance, path: string, cookie: string) {
  return request(`${h.baseUrl}${path}`, { headers: { cookie, 'user-agent': BROWSER_UA } });
}
