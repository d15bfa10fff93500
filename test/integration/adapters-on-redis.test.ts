import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heimdall } from '../../src/adapters/fastify.js';
import { type HeimdallInstance, startInstance } from '../helpers/heimdall-instances.js';
import { HttpClient } from '../helpers/http-client.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { RedisServer } from '../helpers/redis-server.js';

const TRIALS = 50;

/**
 * The embedding adapter in an app of its own, on the stores of a production deployment: it opens PostgreSQL and
 * Redis from the same variables as the Heimdall process beside it, and learns of revocations and demotions made there
 * through Redis (client tracking), with no Redis round trip of its own per request.
 */
describe('heimdall-auth/fastify beside a Heimdall process, on PostgreSQL and Redis', () => {
  let postgres: PostgresServer;
  let redis: RedisServer;
  let server: HeimdallInstance;
  let host: FastifyInstance;
  let hostUrl: string;
  const admin = new HttpClient();

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([PostgresServer.start(), RedisServer.start()]);
    const env = { DATABASE_URL: await postgres.createDatabase(), REDIS_URL: redis.url };
    server = await startInstance('server', env);
    host = Fastify();
    await host.register(heimdall, {
      env: { ...env, HEIMDALL_SECRET: 'test-secret-test-secret-test-secret-0123', LOG_LEVEL: 'silent' },
    });
    host.get('/me', { preHandler: host.heimdall.requireSession() }, async (request) => request.heimdall!.user);
    host.get('/valhalla', { preHandler: host.heimdall.requireRole('god') }, async () => ({ welcome: true }));
    hostUrl = await host.listen({ port: 0, host: '127.0.0.1' });
    expect((await admin.register(server.url, 'admin@example.test')).status).toBe(201);
  });

  afterAll(async () => {
    await host?.close();
    await server?.stop();
    await Promise.all([redis?.stop(), postgres?.stop()]);
  });

  it(`a session signed out at Heimdall is refused by the app on its next request (${TRIALS} trials)`, async () => {
    expect((await new HttpClient().register(server.url, 'odin@example.test')).status).toBe(201);
    let stale = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const browser = new HttpClient();
      expect((await browser.login(server.url, 'odin@example.test')).status).toBe(200);
      const inApp = browser.clone();
      // The app reads the session now, so it holds it in memory.
      expect((await inApp.get(hostUrl, '/me')).body.email).toBe('odin@example.test');
      expect((await browser.request(server.url, 'POST', '/api/auth/logout')).status).toBe(204);
      if ((await inApp.get(hostUrl, '/me')).status !== 401) stale++;
    }
    expect(stale).toBe(0);
  });

  it('a demotion made at Heimdall closes the app’s god-only route on the next request', async () => {
    const thor = new HttpClient();
    const userId = (await thor.register(server.url, 'thor@example.test')).body.user.id as string;
    for (let trial = 0; trial < 10; trial++) {
      await admin.request(server.url, 'PUT', `/api/admin/users/${userId}/roles`, { roles: ['god', 'user'] });
      expect((await thor.get(hostUrl, '/valhalla')).status).toBe(200);
      await admin.request(server.url, 'PUT', `/api/admin/users/${userId}/roles`, { roles: ['user'] });
      expect((await thor.get(hostUrl, '/valhalla')).status).toBe(403);
    }
    expect((await thor.get(hostUrl, '/me')).status).toBe(200);
  });
});
