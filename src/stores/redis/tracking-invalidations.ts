import { BasicPooledClientSideCache } from '@redis/client';

/** What the connection learns from Redis' tracking: one key changed, or everything must be forgotten. */
export interface InvalidationListener {
  /** A key this connection read was changed or deleted by any client (RESP3 `invalidate` push). */
  invalidate(key: string): void;
  /** Invalidations may have been missed (connection error, close, cluster rediscovery, FLUSHALL). */
  flushAll(reason: string): void;
}

/**
 * node-redis' client-side-cache hook, used only as the source of invalidations: it turns `CLIENT TRACKING ON` on in
 * every (re)connection's handshake, on every cluster node, and hands us each invalidation push and every
 * connection error. It caches nothing itself; Heimdall caches decoded domain objects one layer up (see
 * stores/memory/tracked-cache.ts and docs/deploy/redis.md for why the built-in reply cache is not used).
 *
 * Extends the exported pooled provider because RedisCluster accepts only that kind; a single client accepts any.
 */
export class TrackingInvalidations extends BasicPooledClientSideCache {
  readonly #listener: InvalidationListener;

  constructor(listener: InvalidationListener) {
    super({ recordStats: false });
    this.#listener = listener;
  }

  /**
   * NOLOOP: no pushes for our own writes; every write of ours goes through a cache decorator that drops the entry
   * itself. Beware: a write of ours still makes Redis stop tracking that key for us, silently, so nothing may be
   * cached after our own write unless it was read again afterwards (see RedisUserCache.findById).
   */
  override trackingOn(): string[] {
    return ['CLIENT', 'TRACKING', 'ON', 'NOLOOP'];
  }

  // biome-ignore lint/suspicious/noExplicitAny: signature fixed by node-redis' ClientSideCacheProvider
  override async handleCache(_client: any, parser: any, fn: () => Promise<any>, transformReply: any, typeMapping: any) {
    // Pass-through: the same as node-redis does for a command without a cache.
    const reply = await fn();
    return transformReply ? transformReply(reply, parser.preserve, typeMapping) : reply;
  }

  override invalidate(key: unknown): void {
    if (key === null) this.#listener.flushAll('invalidate all (FLUSHALL or tracking table overflow)');
    else this.#listener.invalidate(String(key));
  }

  override clear(): void {
    // Called by the cluster client before it rediscovers the topology: nodes may have changed hands.
    this.#listener.flushAll('cluster topology refresh');
  }

  override onError(): void {
    this.#listener.flushAll('connection error');
  }

  override onClose(): void {
    this.#listener.flushAll('connection closed');
  }

  override onPoolClose(): void {
    this.#listener.flushAll('connection closed');
  }

  override size(): number {
    return 0;
  }
}
