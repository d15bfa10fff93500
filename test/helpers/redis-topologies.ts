import { afterAll } from 'vitest';
import { RedisConnection, type RedisSettings } from '../../src/stores/redis/redis-connection.js';
import { RedisCluster } from './redis-cluster.js';
import { RedisServer } from './redis-server.js';

export type RedisTopology = 'single' | 'cluster';

/** Every Redis deployment Heimdall supports; suites loop over it (`for (const topology of REDIS_TOPOLOGIES)`). */
export const REDIS_TOPOLOGIES: RedisTopology[] = ['single', 'cluster'];

export const TOPOLOGY_LABELS: Record<RedisTopology, string> = { single: 'Redis', cluster: 'Redis Cluster' };

export interface RedisUnderTest {
  settings: RedisSettings;
  /** Environment for a Heimdall process (REDIS_URL or REDIS_CLUSTER_NODES). */
  env: Record<string, string>;
  server?: RedisServer;
  cluster?: RedisCluster;
  /** A new connection, closed after the file. */
  connect(settings?: Partial<RedisSettings>): Promise<RedisConnection>;
}

/**
 * Call at the top of a test file (or describe): the topology starts on first use and stops after the file, with
 * every connection made through it.
 */
export function useRedis(topology: RedisTopology): () => Promise<RedisUnderTest> {
  let started: Promise<RedisUnderTest> | undefined;
  const connections: RedisConnection[] = [];
  afterAll(async () => {
    for (const connection of connections) await connection.close();
    if (!started) return;
    const redis = await started;
    await redis.server?.stop();
    await redis.cluster?.stop();
  });
  const start = async (): Promise<RedisUnderTest> => {
    const made =
      topology === 'single' ? { server: await RedisServer.start() } : { cluster: await RedisCluster.start() };
    const settings: RedisSettings = made.server
      ? { url: made.server.url, heartbeatMs: 100 }
      : { clusterNodes: made.cluster!.nodesList.split(','), heartbeatMs: 100 };
    return {
      ...made,
      settings,
      env: made.server ? { REDIS_URL: made.server.url } : { REDIS_CLUSTER_NODES: made.cluster!.nodesList },
      async connect(overrides = {}) {
        const connection = await RedisConnection.open({ ...settings, ...overrides });
        connections.push(connection);
        return connection;
      },
    };
  };
  return () => {
    started ??= start();
    return started;
  };
}
