// Rough per-request cost of the metrics hook: server CPU µs per authenticated read (GET /api/session with a cookie,
// sessions in SQLite), with METRICS_TOKEN unset and set, alternating rounds, median of each. The load comes from a
// child process, so the server's own CPU time (process.cpuUsage) is what is compared. Needs `npm run build`.
//
//   node scripts/measure-metrics-overhead.mjs [requests per round=20000] [rounds=5]
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { loadConfig } from '../dist/config.js';
import { buildApp } from '../dist/http/app.js';
import { buildServices } from '../dist/services.js';

const [requests = 20_000, rounds = 5] = process.argv[2] === 'client' ? [] : process.argv.slice(2).map(Number);

if (process.argv[2] === 'client') {
  // Load generator: 10 keep-alive connections, each sending its next request when the last is answered.
  process.once('message', async ({ port, cookie, count }) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    let left = count;
    const one = () =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/api/session', agent, headers: { cookie } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end();
      });
    const worker = async () => {
      while (left-- > 0) await one();
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    agent.destroy();
    process.send('done', () => process.exit(0));
  });
} else {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const start = async (env) => {
    const config = loadConfig({
      DATABASE_URL: 'sqlite::memory:',
      LOG_LEVEL: 'silent',
      HEIMDALL_SECRET: 'measure-secret-measure-secret-measure-01',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_ITERATIONS: '1',
      HEIMDALL_GEOIP: 'false',
      ...env,
    });
    const services = await buildServices(config);
    const app = await buildApp(services, config, { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const registered = await app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: 'odin@asgard.example', password: 'correct horse battery staple' },
    });
    const cookie = /__Host-heimdall=[^;]*/.exec(String(registered.headers['set-cookie']))[0];
    return { app, services, cookie, port: app.server.address().port };
  };
  const run = (server, count) =>
    new Promise((resolve, reject) => {
      const child = fork(new URL(import.meta.url).pathname, ['client']);
      const before = process.cpuUsage();
      const t0 = performance.now();
      child.once('message', () => {
        const cpu = process.cpuUsage(before);
        resolve({ cpuUs: (cpu.user + cpu.system) / count, wallMs: performance.now() - t0 });
      });
      child.once('error', reject);
      child.send({ port: server.port, cookie: server.cookie, count });
    });

  const off = await start({});
  const on = await start({ METRICS_TOKEN: 'measure-token-measure-token-measure-token' });
  await run(off, 2_000);
  await run(on, 2_000);
  const results = { off: [], on: [] };
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so drift in the machine's load does not favour one.
    const order = round % 2 ? ['on', 'off'] : ['off', 'on'];
    for (const name of order) results[name].push((await run(name === 'on' ? on : off, requests)).cpuUs);
  }
  const offUs = median(results.off);
  const onUs = median(results.on);
  console.log(`server CPU per request, median of ${rounds} rounds of ${requests} requests:`);
  console.log(`  metrics off: ${offUs.toFixed(1)} µs   runs: ${results.off.map((x) => x.toFixed(1)).join(', ')}`);
  console.log(`  metrics on:  ${onUs.toFixed(1)} µs   runs: ${results.on.map((x) => x.toFixed(1)).join(', ')}`);
  console.log(`  difference:  ${(onUs - offUs).toFixed(1)} µs per request`);
  for (const server of [off, on]) {
    await server.app.close();
    await server.services.close();
  }
}
