import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** A real Heimdall process (the built dist/main.js) on a free loopback port, for tests that kill it. */
export class ServerProcess {
  readonly #env: Record<string, string>;
  #child: ChildProcess | null = null;
  url = '';

  constructor(env: Record<string, string>) {
    this.#env = env;
  }

  async start(): Promise<void> {
    if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npm run build` (npm test does it first).');
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...this.#env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    let output = '';
    this.url = await new Promise<string>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${output}`)), 20_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) {
          clearTimeout(deadline);
          resolve(match[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(deadline);
        reject(new Error(`server exited with ${code}:\n${output}`));
      });
    });
    child.removeAllListeners('exit');
  }

  /** kill -9: no shutdown hooks, no flushing, exactly like a power cut for the process. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    this.#child = null;
  }
}

export interface HttpSession {
  cookie: string;
  csrfToken: string;
}

/** POST/GET with JSON and an optional session, over a real socket. Network errors (the server died) become null. */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  session?: HttpSession,
): Promise<{ status: number; json: Record<string, unknown>; cookie: string | null } | null> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (session) {
    headers.cookie = `__Host-heimdall=${session.cookie}`;
    headers['x-csrf-token'] = session.csrfToken;
  }
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    const cookie = /__Host-heimdall=([^;]*)/.exec(response.headers.get('set-cookie') ?? '')?.[1] ?? null;
    return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, cookie };
  } catch {
    return null;
  }
}

export function sessionFrom(answer: { json: Record<string, unknown>; cookie: string | null } | null): HttpSession {
  if (!answer?.cookie || typeof answer.json.csrfToken !== 'string')
    throw new Error(`no session: ${JSON.stringify(answer)}`);
  return { cookie: answer.cookie, csrfToken: answer.json.csrfToken };
}
