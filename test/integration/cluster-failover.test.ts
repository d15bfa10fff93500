import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/core/tokens.js';
import { sessionKey } from '../../src/stores/redis/redis-session-store.js';
import { type HeimdallInstance, startInstance } from '../helpers/heimdall-instances.js';
import { HttpClient } from '../helpers/http-client.js';
import { PostgresServer } from '../helpers/postgres-server.js';
import { RedisCluster } from '../helpers/redis-cluster.js';

describe('two Heimdall processes on a Redis Cluster whose master fails over to its replica', () => {
  let postgres: PostgresServer;
  let cluster: RedisCluster;
  let a: HeimdallInstance;
  let b: HeimdallInstance;

  beforeAll(async () => {
    [postgres, cluster] = await Promise.all([PostgresServer.start(), RedisCluster.start({ replicasPerMaster: 1 })]);
    const env = {
      DATABASE_URL: await postgres.createDatabase(),
      REDIS_CLUSTER_NODES: cluster.nodesList,
      // A revocation is confirmed only once a replica holds it, so a failover cannot bring the session back.
      REDIS_WAIT_REPLICAS: '1',
    };
    a = await startInstance('A', env);
    b = await startInstance('B', env);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([cluster?.stop(), postgres?.stop()]);
  });

  it('accepts no revoked session during or after the failover, and live sessions come back by themselves', async () => {
    const email = 'failover@example.test';
    expect((await new HttpClient().register(a.url, email)).status).toBe(201);
    const clients: HttpClient[] = [];
    for (let i = 0; i < 30; i++) {
      const client = new HttpClient();
      expect((await client.login(i % 2 ? a.url : b.url, email)).status).toBe(200);
      clients.push(client);
    }
    for (const client of clients) {
      expect((await client.get(a.url, '/api/session')).status).toBe(200);
      expect((await client.get(b.url, '/api/session')).status).toBe(200);
    }
    const revoked = clients.slice(0, 15).map((client) => ({ client, cookie: client.cookie! }));
    const live = clients.slice(15);
    for (const [i, { client }] of revoked.entries()) {
      expect((await client.request(i % 2 ? a.url : b.url, 'POST', '/api/auth/logout')).status).toBe(204);
    }
    const asBrowser = (cookie: string) => {
      const client = new HttpClient();
      client.cookie = cookie;
      return client;
    };

    const victim = await cluster.masterFor(sessionKey(hashToken(revoked[0]!.cookie)));
    const wrong: string[] = [];
    let stop = false;
    const watch = [a, b].map(async (server) => {
      while (!stop) {
        for (const { cookie } of revoked) {
          const { status } = await asBrowser(cookie).get(server.url, '/api/session');
          if (status === 200) wrong.push(`${server.name} accepted a revoked session`);
        }
        for (const client of live) {
          const { status } = await client.clone().get(server.url, '/api/session');
          if (status !== 200 && status !== 503) wrong.push(`${server.name} answered ${status} for a live session`);
        }
      }
    });
    try {
      await victim.kill();
      await cluster.waitUntilHealthy(30_000);
      for (const server of [a, b]) {
        // A liveness bound, not a speed claim: with the whole suite on 2 cores recovery has taken over 15 s.
        const deadline = Date.now() + 45_000;
        for (const client of live) {
          while ((await client.clone().get(server.url, '/api/session')).status !== 200) {
            expect(Date.now()).toBeLessThan(deadline);
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      }
    } finally {
      stop = true;
      await Promise.all(watch);
    }
    expect(wrong).toEqual([]);
    for (const { cookie } of revoked) {
      expect((await asBrowser(cookie).get(a.url, '/api/session')).status).toBe(401);
      expect((await asBrowser(cookie).get(b.url, '/api/session')).status).toBe(401);
    }
  }, 150_000);
});
