import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, type TestApp, TestClient } from '../helpers/test-app.js';
import { listRoutes, type RouteEntry } from './route-list.js';

/** `npm run fuzz` sets FUZZ_RUNS=100000; `npm test` runs a smaller sweep of the same properties. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const BATCHES = RUNS >= 20_000 ? 10 : 3;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'] as const;
const printable = (max: number) =>
  fc.string({ maxLength: max, unit: fc.constantFrom(...'abcAZ09-_.~%/?&=:;@+ "\'<>{}[]\\!$*,#'.split('')) });
const anyText = (max: number) => fc.string({ maxLength: max, unit: 'binary' });

/** Well-formed bodies for the routes that take one, before mutation. */
const validBodies = fc.oneof(
  fc.record({ email: fc.emailAddress(), password: fc.constant(PASSWORD) }),
  fc.record({ email: fc.constant('odin@asgard.example'), password: printable(40), rememberMe: fc.boolean() }),
  fc.record({ currentPassword: printable(30), newPassword: printable(30) }),
  fc.record({ roles: fc.array(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), { maxLength: 4 }) }),
  fc.record({ email: fc.emailAddress(), password: printable(20), name: anyText(120) }),
);

/** Bodies that attack the parser and the schemas: junk, wrong types, prototype keys, extra fields, huge values. */
const hostileBodies = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  validBodies.chain((b) =>
    fc.oneof(
      fc.constant(JSON.stringify({ ...b, extra: 1 })),
      fc.constant(`{"__proto__":{"admin":true},${JSON.stringify(b).slice(1)}`),
      fc.constant(`{"constructor":{"prototype":{"roles":["admin"]}},${JSON.stringify(b).slice(1)}`),
      fc.constant(JSON.stringify(b).slice(0, -1)),
      fc.dictionary(fc.constantFrom(...Object.keys(b)), fc.jsonValue()).map((v) => JSON.stringify(v)),
    ),
  ),
  anyText(200),
  fc.nat({ max: 40_000 }).map((n) => JSON.stringify({ email: 'a@b.example', password: 'p'.repeat(n) })),
);

describe(`HTTP fuzzing (${RUNS} requests)`, () => {
  let t: TestApp;
  let routes: RouteEntry[];
  const clients: TestClient[] = [];

  beforeAll(async () => {
    t = await createTestApp({ TRUST_PROXY: 'loopback' });
    routes = listRoutes(t.app);
    for (const email of ['admin@asgard.example', 'odin@asgard.example']) {
      const client = new TestClient(t.app);
      await client.register(email);
      clients.push(client);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the fuzzer knows every route of the app', () => {
    expect(routes.length).toBeGreaterThanOrEqual(17);
    expect(routes).toContainEqual({ method: 'GET', url: '/api/admin/audit' });
  });

  it('random and mutated requests against every route: zero 5xx, zero crashes, heap flat', async () => {
    const request = fc.record({
      route: fc.constantFrom(...routes),
      methodSwap: fc.option(fc.constantFrom(...METHODS), { freq: 8 }),
      id: fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        printable(80).map(encodeURIComponent),
        fc.constant('..%2f..%2fetc%2fpasswd'),
      ),
      pathJunk: fc.option(fc.oneof(printable(30), fc.constantFrom('//', '/..', '%00', '%2e%2e/', '?a=1&a=2', '#x')), {
        freq: 5,
      }),
      query: fc.option(
        fc.dictionary(fc.constantFrom('cursor', 'limit', 'type', 'userId', 'query', 'token', 'x'), printable(40)),
        { freq: 2 },
      ),
      client: fc.option(fc.nat({ max: clients.length - 1 }), { freq: 3 }),
      csrf: fc.oneof(fc.constant('real'), fc.constant('none'), printable(50)),
      cookie: fc.option(
        fc.oneof(
          printable(60),
          fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((s) => `__Host-heimdall=${s}`),
        ),
        { freq: 4 },
      ),
      contentType: fc.oneof(
        fc.constant('application/json'),
        fc.constant('application/json; charset=utf-8'),
        fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'),
        printable(30),
      ),
      origin: fc.option(fc.constantFrom('null', 'https://evil.example', 'http://localhost:3000'), { freq: 3 }),
      forwardedFor: fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), printable(40)), { freq: 3 }),
      authorization: fc.option(
        fc.oneof(
          printable(60).map((s) => `Bearer ${s}`),
          printable(40),
        ),
        { freq: 5 },
      ),
      userAgent: printable(200),
      body: fc.option(
        fc.oneof(
          validBodies.map((b) => JSON.stringify(b)),
          hostileBodies,
        ),
        { freq: 4 },
      ),
    });

    let sent = 0;
    let serverErrors = 0;
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const heap: number[] = [];
    for (let batch = 0; batch < BATCHES; batch++) {
      // Keep the pool signed in: the fuzzer signs itself out now and then.
      for (const [i, client] of clients.entries()) {
        if ((await client.get('/api/session')).statusCode !== 200)
          await client.login(i === 0 ? 'admin@asgard.example' : 'odin@asgard.example');
      }
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const client = r.client === null ? null : clients[r.client]!;
          const method = r.methodSwap ?? r.route.method;
          let url = r.route.url.replace(/:id/g, r.id) + (r.pathJunk ?? '');
          if (r.query) url += `${url.includes('?') ? '&' : '?'}${new URLSearchParams(r.query)}`;
          const headers: Record<string, string> = { 'user-agent': r.userAgent, 'content-type': r.contentType };
          if (r.origin) headers.origin = r.origin;
          if (r.forwardedFor) headers['x-forwarded-for'] = r.forwardedFor;
          if (r.authorization) headers.authorization = r.authorization;
          if (r.cookie) headers.cookie = r.cookie;
          if (r.csrf !== 'real') headers['x-csrf-token'] = r.csrf === 'none' ? '' : r.csrf;
          if (r.csrf === 'none') delete headers['x-csrf-token'];
          const options: InjectOptions = { method: method as 'GET', url, headers };
          if (r.body !== null && method !== 'GET' && method !== 'HEAD') options.payload = r.body;
          let status: number;
          try {
            status = (client ? await client.request(options) : await t.app.inject(options)).statusCode;
          } catch (error) {
            // light-my-request refuses to build some requests (invalid URL); nothing reached the server.
            if (error instanceof TypeError || (error as { code?: string }).code === 'ERR_INVALID_URL') return;
            throw error;
          }
          sent++;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          if (status >= 500) {
            serverErrors++;
            if (failures.length < 5) failures.push(`${method} ${url} → ${status}`);
          }
          return status < 500;
        }),
        { numRuns: Math.ceil(RUNS / BATCHES), verbose: 0 },
      );
      gc();
      heap.push(process.memoryUsage().heapUsed);
    }

    expect(failures).toEqual([]);
    expect(serverErrors).toBe(0);
    expect(sent).toBeGreaterThan(RUNS * 0.9);
    // Flat heap: after the first batch has warmed caches, later batches add no more than noise.
    const growth = heap.at(-1)! - heap[0]!;
    expect(growth, `heap grew ${(growth / 2 ** 20).toFixed(1)} MiB over ${sent} requests`).toBeLessThan(24 * 2 ** 20);
    const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
    console.log(`fuzz: ${sent} requests, 0 server errors; statuses ${byStatus.join(' ')}`);
    console.log(`fuzz: heap after each batch (MiB): ${heap.map((h) => (h / 2 ** 20).toFixed(1)).join(' ')}`);
  }, 1_800_000);
});
