import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeimdallProcess, startHeimdallProcess, tempDir } from '../helpers/heimdall-process.js';

const PASSWORD = 'correct horse battery staple';

interface Outcome {
  path: string;
  startedAt: number;
  endedAt: number;
  /** HTTP status, or the socket error's code when there was no answer. */
  result: number | string;
}

/** One request over a keep-alive agent; never throws. */
function attempt(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
) {
  const startedAt = performance.now();
  return new Promise<Outcome>((resolve) => {
    const done = (result: number | string) => resolve({ path, startedAt, endedAt: performance.now(), result });
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
      res.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'response error'));
    });
    req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    req.end(body);
  });
}

/** An open event stream: resolves `opened` at its first bytes, `ended` with 'end' or the socket error's code. */
function openEventStream(port: number, cookie: string) {
  let text = '';
  let opened!: () => void;
  const isOpen = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const ended = new Promise<string>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/events', headers: { cookie } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes(': connected')) opened();
      });
      res.on('end', () => resolve('end'));
      res.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end();
  });
  return {
    opened: Promise.race([isOpen, ended.then((how) => Promise.reject(new Error(how)))]),
    ended,
    text: () => text,
  };
}

describe('graceful shutdown under load (real server process)', () => {
  const dir = tempDir('heimdall-shutdown-');
  let server: HeimdallProcess;
  let cookie: string;

  beforeAll(async () => {
    server = await startHeimdallProcess(
      {
        DATABASE_URL: `sqlite:${join(dir.dir, 'heimdall.db')}`,
        HEIMDALL_SECRET: 'shutdown-test-secret-shutdown-test-secret-01',
        HEIMDALL_GEOIP: 'false',
        // Real argon2 cost, so that sign-ins are still being worked on when the signal lands.
        ARGON2_MEMORY_KIB: '19456',
        ARGON2_ITERATIONS: '2',
        LOGIN_LIMIT_IP: '100000',
        LOGIN_LIMIT_ACCOUNT_IP: '1000',
        // The load signs the same account in over and over: the cap would end the session the reads use.
        SESSION_MAX_PER_USER: '10000',
        SHUTDOWN_DRAIN_DELAY: '1s',
      },
      dir.dir,
    );
    const registered = await fetch(`${server.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'odin@asgard.example', password: PASSWORD }),
    });
    cookie = /__Host-heimdall=[^;]*/.exec(registered.headers.get('set-cookie') ?? '')![0];
  });

  afterAll(async () => {
    await server?.stop('SIGKILL');
    dir.remove();
  });

  it('SIGTERM: every request the server accepted is answered, readiness turns 503 first, event streams end with a reconnection hint, and the process exits 0', async () => {
    const events = openEventStream(server.port, cookie);
    await events.opened;
    const outcomes: Outcome[] = [];
    let signalledAt = Number.POSITIVE_INFINITY;
    const login = JSON.stringify({ email: 'odin@asgard.example', password: PASSWORD });

    // Eight clients with keep-alive connections, each sending its next request as soon as the last is answered,
    // until the server refuses new connections (then a load balancer would send them to another instance).
    const client = async (n: number) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; ; i++) {
          const outcome =
            (n + i) % 4 === 0
              ? await attempt(
                  agent,
                  server.port,
                  'POST',
                  '/api/auth/login',
                  { 'content-type': 'application/json' },
                  login,
                )
              : await attempt(agent, server.port, 'GET', '/api/session', { cookie });
          outcomes.push(outcome);
          if (outcome.result === 'ECONNREFUSED') return;
        }
      } finally {
        agent.destroy();
      }
    };
    const clients = Array.from({ length: 8 }, (_, n) => client(n));

    const deadline = Date.now() + 20_000;
    while (outcomes.filter((o) => o.result === 200).length < 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    signalledAt = performance.now();
    const exited = server.stop('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const readyWhileDraining = (await attempt(new Agent(), server.port, 'GET', '/api/ready', {})).result;
    expect(await exited).toBe(0);
    await Promise.all(clients);

    const failures = outcomes.filter((o) => o.result !== 200 && o.result !== 'ECONNREFUSED');
    expect(failures, JSON.stringify(failures.slice(0, 5))).toEqual([]);
    // The signal landed mid-load: requests were in flight across it, and the server went on answering while draining.
    const inFlight = outcomes.filter((o) => o.startedAt < signalledAt && o.endedAt > signalledAt);
    const afterSignal = outcomes.filter((o) => o.startedAt > signalledAt && o.result === 200);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(afterSignal.length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.result === 200).length).toBeGreaterThanOrEqual(200);
    expect(readyWhileDraining).toBe(503);
    // The live-push stream was closed by the server, cleanly, telling the browser when to reconnect (elsewhere).
    expect(await events.ended).toBe('end');
    expect(events.text()).toMatch(/: connected\n\n[\s\S]*retry: \d+\n\n$/);
    const log = server.output();
    expect(log).toMatch(/SIGTERM received: draining/);
    expect(log).toMatch(/shutdown complete/);
  });
});
