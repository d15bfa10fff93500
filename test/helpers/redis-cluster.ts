import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findFreePortPair, waitFor } from './free-port.js';
import { RedisServer } from './redis-server.js';

const execFileAsync = promisify(execFile);
/** Redis Cluster's node-to-node bus listens on the client port + 10000. */
const BUS_PORT_OFFSET = 10_000;

export interface RedisClusterOptions {
  masters?: number;
  /** Replicas per master (1 for failover tests). */
  replicasPerMaster?: number;
}

export interface ClusterNodeInfo {
  id: string;
  address: string;
  port: number;
  role: 'master' | 'replica';
  masterId: string | null;
  failed: boolean;
}

/**
 * A throwaway Redis Cluster on loopback: N masters (default 3), optional replicas, formed with
 * `redis-cli --cluster create` and waited on until every node reports `cluster_state:ok`.
 */
export class RedisCluster {
  readonly servers: RedisServer[];

  private constructor(servers: RedisServer[]) {
    this.servers = servers;
  }

  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const masters = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 0;
    const servers: RedisServer[] = [];
    try {
      for (let i = 0; i < masters * (1 + replicas); i++) {
        const port = await findFreePortPair(BUS_PORT_OFFSET);
        servers.push(await RedisServer.start({ port, cluster: true }));
      }
      await execFileAsync(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...servers.map((s) => s.address),
          '--cluster-replicas',
          String(replicas),
          '--cluster-yes',
        ],
        { timeout: 30_000 },
      );
      const cluster = new RedisCluster(servers);
      await cluster.waitUntilHealthy();
      return cluster;
    } catch (error) {
      await Promise.all(servers.map((s) => s.stop()));
      throw error;
    }
  }

  /** `host:port,host:port,…` of every node, as REDIS_CLUSTER_NODES takes it. */
  get nodesList(): string {
    return this.servers.map((s) => s.address).join(',');
  }

  get rootNodes(): { url: string }[] {
    return this.servers.map((s) => ({ url: s.url }));
  }

  /** Waits until every running node sees the whole cluster as ok with the expected masters all alive. */
  async waitUntilHealthy(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      'cluster_state:ok on every node',
      async () => {
        for (const server of this.servers.filter((s) => s.running)) {
          const info = await server.cli('CLUSTER', 'INFO');
          if (!info.includes('cluster_state:ok')) return undefined;
          const nodes = await this.nodes(server);
          const expected = this.servers.filter((s) => s.running).length;
          if (nodes.filter((n) => !n.failed).length < expected) return undefined;
          // Replicas must have finished their initial sync, or WAIT (and failover) has nothing to rely on.
          const replication = await server.cli('INFO', 'replication');
          if (/role:slave/.test(replication) && !/master_link_status:up/.test(replication)) return undefined;
          if (/role:master/.test(replication) && /state=(?!online)/.test(replication)) return undefined;
        }
        return true;
      },
      timeoutMs,
      100,
    );
  }

  /** CLUSTER NODES as seen from one node (the first running one by default). */
  async nodes(from?: RedisServer): Promise<ClusterNodeInfo[]> {
    const server = from ?? this.servers.find((s) => s.running);
    if (!server) throw new Error('no running cluster node');
    const text = await server.cli('CLUSTER', 'NODES');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [id = '', addr = '', flags = '', master = '-'] = line.split(' ');
        const address = addr.split('@')[0] ?? '';
        return {
          id,
          address,
          port: Number(address.split(':')[1]),
          role: flags.includes('master') ? 'master' : 'replica',
          masterId: master === '-' ? null : master,
          failed: /fail(?!\?)/.test(flags) || flags.includes('fail?'),
        } satisfies ClusterNodeInfo;
      });
  }

  /** The server that currently masters the slot of `key`. */
  async masterFor(key: string): Promise<RedisServer> {
    const server = this.servers.find((s) => s.running);
    if (!server) throw new Error('no running cluster node');
    const slot = Number(await server.cli('CLUSTER', 'KEYSLOT', key));
    const lines = (await server.cli('CLUSTER', 'NODES')).split('\n');
    for (const line of lines) {
      const fields = line.split(' ');
      if (!fields[2]?.includes('master') || !ownsSlot(fields.slice(8), slot)) continue;
      const port = Number(fields[1]?.split('@')[0]?.split(':')[1]);
      const owner = this.servers.find((s) => s.port === port);
      if (owner) return owner;
    }
    throw new Error(`no master owns slot ${slot}`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
  }
}

function ownsSlot(ranges: string[], slot: number): boolean {
  return ranges.some((range) => {
    if (range.startsWith('[')) return false;
    const [from, to] = range.split('-').map(Number);
    return from !== undefined && slot >= from && slot <= (to ?? from);
  });
}
