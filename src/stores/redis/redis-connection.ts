import { createClient, createCluster, type RedisClientType, type RedisClusterType } from '@redis/client';
import { SharedDeadlines } from '../../core/shared-deadlines.js';
import { type RedisCommands, withDeadlines } from './redis-commands.js';
import { redisTimedOut } from './redis-errors.js';
import { type InvalidationListener, TrackingInvalidations } from './tracking-invalidations.js';

export type { RedisCommands } from './redis-commands.js';

/** What the event bus needs from a pub/sub client (single: SUBSCRIBE; cluster: sharded SSUBSCRIBE). */
export interface PubSubClient {
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  sSubscribe(channel: string, listener: (message: string) => void): Promise<void>;
  close(): Promise<void>;
  /** Drops the connection at once, without waiting for answers (after a start-up that timed out). */
  destroy(): void;
}

export interface RedisSettings {
  /** redis:// or rediss:// URL of a single server. */
  url?: string | null;
  /** host:port of any subset of a cluster's nodes. */
  clusterNodes?: string[] | null;
  /** Every command fails after this long instead of hanging (fail closed). */
  commandTimeoutMs?: number;
  /** How often the link is proven alive with PING (also bounds staleness if the network silently drops). */
  heartbeatMs?: number;
  /** How long the first connection may take before start-up gives up. */
  connectTimeoutMs?: number;
}

export interface RedisLogger {
  warn(message: string): void;
  info(message: string): void;
}

const silentLogger: RedisLogger = { warn: () => {}, info: () => {} };
type AnyClient = RedisClientType<Record<string, never>, Record<string, never>, Record<string, never>, 3>;
type AnyCluster = RedisClusterType<Record<string, never>, Record<string, never>, Record<string, never>, 3>;

/**
 * One Redis (or Redis Cluster) client for the whole process, in RESP3 with `CLIENT TRACKING ON` on every connection.
 * It tells its listeners about every invalidation and every moment when invalidations may have been lost, and
 * reports whether the invalidation channel is live: only then may anything be served from memory.
 */
export class RedisConnection {
  readonly kind: 'single' | 'cluster';
  readonly description: string;
  /** The commands the stores send, each failing after REDIS_COMMAND_TIMEOUT_MS instead of hanging. */
  readonly commands: RedisCommands;
  readonly #settings: RedisSettings;
  /** REDIS_COMMAND_TIMEOUT_MS for every command and every call bounded through `bounded()`. */
  readonly #deadlines: SharedDeadlines;
  readonly #pingDeadlines: SharedDeadlines;
  readonly #client: AnyClient | undefined;
  readonly #cluster: AnyCluster | undefined;
  readonly #listeners = new Set<InvalidationListener>();
  readonly #logger: RedisLogger;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #heartbeatTimeoutMs: number;
  /** Bumped on every flush; the link turns live again only after a heartbeat that started after the last flush. */
  #generation = 0;
  #live = false;
  #closed = false;

  private constructor(settings: RedisSettings, logger: RedisLogger) {
    this.#logger = logger;
    this.#settings = settings;
    const commandTimeout = settings.commandTimeoutMs ?? 2_000;
    const heartbeatMs = settings.heartbeatMs ?? 500;
    this.#heartbeatTimeoutMs = Math.max(heartbeatMs * 2, 500);
    this.#pingDeadlines = new SharedDeadlines(this.#heartbeatTimeoutMs, redisTimedOut, { windowMs: 5 });
    const invalidations = new TrackingInvalidations({
      invalidate: (key) => {
        for (const listener of this.#listeners) listener.invalidate(key);
      },
      flushAll: (reason) => this.#flush(reason),
    });
    const socket = {
      connectTimeout: Math.min(commandTimeout, 5_000),
      // Retry quickly and for ever: requests fail closed meanwhile, and service resumes within ~0.5 s of Redis.
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 400),
    };
    const common = {
      RESP: 3 as const,
      clientSideCache: invalidations,
      // Never queue commands while disconnected: a request must get 503 at once, not wait for a reconnect.
      disableOfflineQueue: true,
    };
    if (settings.clusterNodes?.length) {
      this.kind = 'cluster';
      this.description = `redis cluster ${settings.clusterNodes.join(',')}`;
      this.#cluster = createCluster({
        rootNodes: settings.clusterNodes.map((node) => ({ url: `redis://${node}` })),
        RESP: 3,
        clientSideCache: invalidations,
        // The cluster hands `clientSideCache` to every node client itself.
        defaults: { disableOfflineQueue: true, socket },
      }) as unknown as AnyCluster;
      this.#cluster.on('error', (error: Error) => this.#warn('redis cluster error', error));
      this.#cluster.on('node-error', (error: Error) => this.#warn('redis cluster node error', error));
    } else if (settings.url) {
      this.kind = 'single';
      const url = new URL(settings.url);
      this.description = `redis ${url.hostname}:${url.port || 6379}`;
      this.#client = createClient({ url: settings.url, ...common, socket }) as unknown as AnyClient;
      this.#client.on('error', (error: Error) => this.#warn('redis error', error));
    } else {
      throw new TypeError('RedisConnection needs a url or cluster nodes');
    }
    this.#deadlines = new SharedDeadlines(commandTimeout, redisTimedOut);
    this.commands = withDeadlines((this.#cluster ?? this.#client) as unknown as RedisCommands, this.#deadlines);
    this.#heartbeat = setInterval(() => void this.#beat(), heartbeatMs);
    this.#heartbeat.unref();
  }

  /** Connects (giving up after connectTimeoutMs) and proves the link live once. */
  static async open(settings: RedisSettings, logger: RedisLogger = silentLogger): Promise<RedisConnection> {
    const connection = new RedisConnection(settings, logger);
    const timeoutMs = settings.connectTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const connecting = connection.#cluster ? connection.#cluster.connect() : connection.#client!.connect();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`could not reach ${connection.description} within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      await Promise.race([connecting, timeout]);
      await connection.#beat();
    } catch (error) {
      await connection.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return connection;
  }

  /**
   * The node-redis client or cluster itself, for libraries that take one (rate-limiter-flexible): without deadlines,
   * so the caller bounds its calls with `bounded()`.
   */
  get client(): unknown {
    return this.#cluster ?? this.#client;
  }

  /** A call made through `client`, failing like any command once REDIS_COMMAND_TIMEOUT_MS passes unanswered. */
  bounded<T>(call: Promise<T>): Promise<T> {
    return this.#deadlines.guard(call);
  }

  /** True while every connection tracks our reads and nothing may have been missed since the last proof of life. */
  isLive(): boolean {
    return this.#live;
  }

  /** Adds a listener for invalidations and flushes; returns the function that removes it. */
  listen(listener: InvalidationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Throws unless every master answers PING within the heartbeat timeout. The deadline is ours: node-redis's
   * `timeout` stops at the write, so a paused Redis would leave the PING, and with it the link, "live" for ever
   * while no invalidation can arrive.
   */
  async ping(): Promise<void> {
    if (this.#cluster) {
      const masters = this.#cluster.masters;
      if (masters.length === 0) throw new Error('no cluster masters known');
      await Promise.all(
        masters.map(async (node) => {
          const client = await this.#pingDeadlines.guard(this.#cluster!.nodeClient(node));
          await this.#pingDeadlines.guard(client.ping());
        }),
      );
    } else {
      await this.#pingDeadlines.guard(this.#client!.ping());
    }
  }

  /** Redis WAIT on the node holding `key`: how many replicas acknowledged this connection's writes so far. */
  async waitForReplicas(key: string, replicas: number, timeoutMs: number): Promise<number> {
    const args = ['WAIT', String(replicas), String(timeoutMs)];
    // WAIT answers by itself after timeoutMs; a Redis that answers nothing fails a second later (our deadline, as
    // node-redis's `timeout` stops at the write).
    const sent = this.#cluster ? this.#cluster.sendCommand(key, false, args) : this.#client!.sendCommand(args);
    const reply = await new SharedDeadlines(timeoutMs + 1_000, redisTimedOut, { windowMs: 1 }).guard(sent);
    return Number(reply);
  }

  /**
   * A separate, connected client for pub/sub (a subscribed connection runs no other commands), without tracking.
   * node-redis resubscribes it by itself after a reconnect; the caller closes it.
   */
  async openPubSub(): Promise<PubSubClient> {
    const socket = { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 400) };
    const client = this.#cluster
      ? createCluster({
          rootNodes: this.#settings.clusterNodes!.map((node) => ({ url: `redis://${node}` })),
          RESP: 3,
          defaults: { socket },
        })
      : createClient({ url: this.#settings.url!, RESP: 3, socket });
    client.on('error', (error: Error) => this.#warn('redis pub/sub error', error));
    try {
      // Bounded like every command: a Redis that accepts the connection and never answers its handshake fails the
      // start-up within REDIS_COMMAND_TIMEOUT_MS instead of hanging it.
      await this.bounded<unknown>(client.connect());
    } catch (error) {
      client.destroy();
      throw error;
    }
    return client as unknown as PubSubClient;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#flush('closing');
    const client = this.#cluster ?? this.#client;
    try {
      if (client?.isOpen) await client.close();
    } catch {
      client?.destroy();
    }
  }

  #flush(reason: string): void {
    this.#generation++;
    if (this.#live && !this.#closed) this.#logger.warn(`redis: local cache flushed (${reason}); failing closed`);
    this.#live = false;
    for (const listener of this.#listeners) listener.flushAll(reason);
  }

  async #beat(): Promise<void> {
    if (this.#closed) return;
    const generation = this.#generation;
    try {
      await this.ping();
      if (generation === this.#generation && !this.#live && !this.#closed) {
        this.#live = true;
        this.#logger.info(`redis: ${this.description} reachable, invalidation channel live`);
      }
    } catch (error) {
      // Unanswered PINGs mean pushes may be stuck or lost as well: stop trusting memory until Redis answers.
      if (this.#live) this.#flush(`heartbeat failed: ${(error as Error).message}`);
      if (this.#cluster) await this.#rediscover();
    }
  }

  /**
   * node-redis refreshes a cluster's slot map only on MOVED/ASK replies, which a dead master never sends: its
   * slots would stay pointed at it after a replica took over. So while a master fails the heartbeat, ask the
   * cluster (the root nodes, if need be) for the current topology.
   */
  async #rediscover(): Promise<void> {
    const cluster = this.#cluster!;
    const anyMaster = cluster.masters.find((node) => node.client)?.client;
    if (!anyMaster || this.#closed) return;
    try {
      await cluster._slots.rediscover(anyMaster as never);
    } catch (error) {
      this.#warn('redis cluster topology refresh failed', error as Error);
    }
  }

  #lastWarning = 0;
  #warn(what: string, error: Error): void {
    const now = Date.now();
    // A dead Redis raises an error per reconnect attempt; one line a second is enough.
    if (now - this.#lastWarning < 1_000) return;
    this.#lastWarning = now;
    this.#logger.warn(`${what}: ${error.message}`);
  }
}
