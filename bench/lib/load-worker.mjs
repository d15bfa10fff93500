// The load generator: one autocannon run in its own process (pinned to its own CPU by the harness), so that the
// server's CPU time measures the server alone. Plain JavaScript so that the compiled harness and the test suite
// can both start it with `node`.
//
// Protocol (JSON lines): argv[2] is a JSON file with the load spec. The worker runs the warm-up, prints
// {"type":"ready"}, waits for "go" on stdin (the harness reads the server's CPU time in between), runs the measured
// window, and prints {"type":"result", ...}.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function options(measured) {
  const base = {
    url: spec.url,
    method: spec.method ?? 'GET',
    headers: spec.headers ?? {},
    connections: spec.connections,
    pipelining: 1,
    timeout: 30,
  };
  if (spec.body !== undefined) base.body = spec.body;
  if (spec.rate) base.overallRate = spec.rate;
  if (measured && spec.amount) base.amount = spec.amount;
  else base.duration = measured ? spec.durationSec : spec.warmupSec;
  if (spec.cookies?.length) {
    // Many sessions: each request carries the next cookie of the list (a different session each time).
    let next = Math.floor(Math.random() * spec.cookies.length);
    base.requests = [
      {
        setupRequest(request) {
          next = (next + 1) % spec.cookies.length;
          return { ...request, headers: { ...request.headers, cookie: spec.cookies[next] } };
        },
      },
    ];
  } else if (spec.bodies?.length) {
    // Many accounts: each request carries the next body of the list (a different account's sign-in each time).
    let next = Math.floor(Math.random() * spec.bodies.length);
    base.requests = [
      {
        setupRequest(request) {
          next = (next + 1) % spec.bodies.length;
          return { ...request, body: spec.bodies[next] };
        },
      },
    ];
  }
  return base;
}

// autocannon's rate limit sends each second's quota in a burst at the start of the second, which measures a
// saturated server, not one at the given load. Fixed-rate runs are therefore paced here: one request every
// 1/rate s over a keep-alive pool of `connections`. Latency is counted from when the request was handed to the
// pool (queueing for a busy connection counts; the pacer's own timer granularity does not).
function runPaced(durationSec, onResponse) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const url = new URL(spec.url);
  const total = Math.max(1, Math.round(spec.rate * durationSec));
  const started = performance.now();
  let sent = 0;
  let finished = 0;
  let errors = 0;
  let bytes = 0;
  let cookie = 0;
  return new Promise((resolve) => {
    const finish = () => {
      if (++finished === total) {
        clearInterval(timer);
        agent.destroy();
        resolve({ errors, timeouts: 0, throughput: { total: bytes } });
      }
    };
    const fire = () => {
      const sentAt = performance.now();
      const headers = { ...(spec.headers ?? {}) };
      if (spec.cookies?.length) headers.cookie = spec.cookies[cookie++ % spec.cookies.length];
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: spec.method ?? 'GET',
          headers,
          agent,
        },
        (res) => {
          res.on('data', (chunk) => {
            bytes += chunk.length;
          });
          res.on('end', () => {
            onResponse?.(null, res.statusCode, 0, performance.now() - sentAt);
            finish();
          });
        },
      );
      req.on('error', () => {
        errors++;
        finish();
      });
      req.end(spec.body);
    };
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * spec.rate) + 1);
      while (sent < due) {
        sent++;
        fire();
      }
    }, 1);
  });
}

function run(opts, onResponse) {
  if (spec.rate) return runPaced(opts.duration ?? opts.amount / spec.rate, onResponse);
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (error, result) => (error ? reject(error) : resolve(result)));
    if (onResponse) instance.on('response', onResponse);
  });
}

// autocannon's own histogram has 1 ms resolution; the p99 targets need better, so every latency is kept here.
let latencies = new Float64Array(1 << 16);
let count = 0;
const statusCodes = {};
function record(_client, statusCode, _bytes, responseTime) {
  statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
  if (statusCode < 200 || statusCode >= 300) return;
  if (count === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[count++] = responseTime;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

if (spec.warmupSec > 0) await run(options(false));
send({ type: 'ready' });
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;

const started = process.hrtime.bigint();
const result = await run(options(true), record);
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
const sorted = latencies.subarray(0, count).sort();
const responses = Object.values(statusCodes).reduce((a, b) => a + b, 0);
send({
  type: 'result',
  responses,
  ok: count,
  non2xx: responses - count,
  errors: result.errors,
  timeouts: result.timeouts,
  elapsedMs,
  reqPerSec: (count / elapsedMs) * 1000,
  bytesRead: result.throughput.total,
  statusCodes,
  latencyMs: {
    mean: count ? sorted.reduce((a, b) => a + b, 0) / count : null,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: count ? sorted[count - 1] : null,
  },
});
process.exit(0);
