import { HeimdallError } from '../../core/errors.js';
import {
  liveCountries,
  methodBits,
  newestFirst,
  type Session,
  type SessionActivity,
  type SessionProof,
  type SessionStore,
} from '../../core/session.js';
import { keyFamily } from './key-family.js';
import type { RedisConnection } from './redis-connection.js';
import { toUnavailable } from './redis-errors.js';
import { RedisSessionCodec } from './redis-session-codec.js';
import { INDEX_ADD_SCRIPT, TOUCH_SCRIPT, UPDATE_SCRIPT } from './redis-session-scripts.js';

/** Redis keys (DESIGN.md, "Session store in Redis"). The braces are hash tags: each key's slot is its id alone. */
const SESSIONS = keyFamily('hd:s:');
const USER_SESSIONS = keyFamily('hd:us:');
export const sessionKey = SESSIONS.key;
/**
 * The token hash a session key names (`hd:s:{hash}` → `hash`), any other key as it is: how the in-process session
 * cache, which holds sessions under their bare hash, reads an invalidation. No other key is a bare hash (base64url
 * has no `:`).
 */
export const tokenHashOfKey = SESSIONS.tagOf;
export const userSessionsKey = USER_SESSIONS.key;
/** The user id a session index key names (`hd:us:{id}` → `id`), any other key as it is (for caches keyed by id). */
export const userIdOfIndexKey = USER_SESSIONS.tagOf;
export const sessionIdKey = keyFamily('hd:sid:').key;

export interface RedisSessionStoreOptions {
  /**
   * After deleting sessions, wait until this many replicas hold the delete (Redis WAIT), so that a failover cannot
   * bring a revoked session back. 0 (default) does not wait.
   */
  waitReplicas?: number;
  waitTimeoutMs?: number;
}

/**
 * Sessions in Redis or Redis Cluster. No command spans two keys, so any key layout across slots works. Writes that
 * touch several keys are ordered so that a crash between them can only leave a dangling index entry (pruned on
 * read once past their absolute expiry), never a live session that should be dead: indexes are written before the
 * session on insert, and the session is deleted before its indexes.
 */
export class RedisSessionStore implements SessionStore {
  readonly #redis: RedisConnection;
  readonly #waitReplicas: number;
  readonly #waitTimeoutMs: number;
  readonly #codec = new RedisSessionCodec();

  constructor(redis: RedisConnection, options: RedisSessionStoreOptions = {}) {
    this.#redis = redis;
    this.#waitReplicas = options.waitReplicas ?? 0;
    this.#waitTimeoutMs = options.waitTimeoutMs ?? 500;
  }

  insert(session: Session): Promise<void> {
    return this.#run(async (r) => {
      const expiresAt = Math.min(session.idleExpiresAt, session.absoluteExpiresAt);
      await Promise.all([
        r.eval(INDEX_ADD_SCRIPT, {
          keys: [userSessionsKey(session.userId)],
          arguments: [session.tokenHash, String(session.absoluteExpiresAt)],
        }),
        r.set(sessionIdKey(session.id), session.tokenHash, {
          expiration: { type: 'PXAT', value: session.absoluteExpiresAt },
        }),
      ]);
      await r.set(sessionKey(session.tokenHash), this.#codec.encode(session), {
        expiration: { type: 'PXAT', value: expiresAt },
      });
    });
  }

  findByTokenHash(tokenHash: string): Promise<Session | null> {
    return this.#run(async (r) => {
      const raw = await r.get(sessionKey(tokenHash));
      return raw === null ? null : this.#codec.decode(tokenHash, raw);
    });
  }

  findById(id: string): Promise<Session | null> {
    return this.#run(async (r) => {
      const tokenHash = await r.get(sessionIdKey(id));
      if (tokenHash === null) return null;
      const session = await this.findByTokenHash(tokenHash);
      return session?.id === id ? session : null;
    });
  }

  touch(tokenHash: string, activity: SessionActivity): Promise<void> {
    return this.#run(async (r) => {
      await r.eval(TOUCH_SCRIPT, {
        keys: [sessionKey(tokenHash)],
        arguments: [
          String(activity.lastSeenAt),
          String(activity.idleExpiresAt),
          activity.ip,
          JSON.stringify(activity.country),
        ],
      });
    });
  }

  update(tokenHash: string, proof: SessionProof): Promise<boolean> {
    return this.#run(async (r) => {
      const key = sessionKey(tokenHash);
      const updated = Number(
        await r.eval(UPDATE_SCRIPT, {
          keys: [key],
          arguments: [
            proof.authenticatedAt === undefined ? '' : String(proof.authenticatedAt),
            proof.methods === undefined ? '' : String(methodBits(proof.methods)),
            proof.deviceKey === undefined ? '' : JSON.stringify(proof.deviceKey),
          ],
        }),
      );
      if (updated !== -1) return updated === 1;
      // A format-1 record (written before format 2): rewritten whole in the current format, keeping its expiry.
      const session = await this.findByTokenHash(tokenHash);
      if (!session) return false;
      const written = await r.set(key, this.#codec.encode({ ...session, ...proof }), {
        condition: 'XX',
        expiration: 'KEEPTTL',
      });
      return written !== null;
    });
  }

  delete(tokenHash: string): Promise<boolean> {
    return this.#run(async () => (await this.#deleteOne(tokenHash)) !== null);
  }

  listForUser(userId: string): Promise<Session[]> {
    return this.#run(async () => {
      const members = await this.#indexMembers(userId);
      const found = await Promise.all(members.map((hash) => this.findByTokenHash(hash)));
      return found.filter((s): s is Session => s !== null && s.userId === userId);
    });
  }

  deleteAllForUser(userId: string, exceptTokenHash?: string): Promise<number> {
    return this.#run(async (r) => {
      const doomed = (await this.#indexMembers(userId)).filter((hash) => hash !== exceptTokenHash);
      const deleted = await Promise.all(doomed.map((hash) => this.#deleteOne(hash, false)));
      if (doomed.length > 0) await r.zRem(userSessionsKey(userId), doomed);
      return deleted.filter((s) => s !== null).length;
    });
  }

  /**
   * The user's indexed token hashes, after pruning the members past their absolute expiry. A member whose session
   * is merely missing is kept: it may be an insert in progress (index written, session not yet), and unlinking it
   * would hide a live session from sign-out-everywhere. Such members go when their absolute expiry passes.
   */
  async #indexMembers(userId: string): Promise<string[]> {
    const r = this.#redis.commands;
    const key = userSessionsKey(userId);
    await r.zRemRangeByScore(key, '-inf', Date.now());
    return r.zRange(key, 0, -1);
  }

  /**
   * Reads the user's sessions (after the caller's own insert) and deletes the oldest beyond `keep`. Index members
   * whose record is missing (an insert in progress, an idle expiry) do not count: an insert in progress trims
   * after its own write, and the last trim to read sees every record written before it.
   */
  trimForUser(userId: string, keep: number): Promise<Session[]> {
    return this.#run(async () => {
      const members = await this.#indexMembers(userId);
      if (members.length <= keep) return [];
      const found = await Promise.all(members.map((hash) => this.findByTokenHash(hash)));
      const sessions = found.filter((s): s is Session => s !== null && s.userId === userId);
      if (sessions.length <= keep) return [];
      const doomed = sessions.sort(newestFirst).slice(keep);
      const deleted = await Promise.all(doomed.map((s) => this.#deleteOne(s.tokenHash)));
      return deleted.filter((s): s is Session => s !== null);
    });
  }

  countriesForUser(userId: string, now: number): Promise<string[]> {
    return this.#run(async () => liveCountries(await this.listForUser(userId), now));
  }

  async pruneExpired(): Promise<number> {
    // Session keys expire by themselves (PEXPIREAT); stale index members are pruned when read.
    return 0;
  }

  ping(): Promise<void> {
    return this.#run(() => this.#redis.ping());
  }

  async close(): Promise<void> {
    // The connection belongs to the composition root.
  }

  /** GETDEL first (that is the revocation), then the indexes. Returns the deleted session, if there was one. */
  async #deleteOne(tokenHash: string, removeFromUserIndex = true): Promise<Session | null> {
    const r = this.#redis.commands;
    const key = sessionKey(tokenHash);
    const raw = await r.getDel(key);
    const session = raw === null ? null : this.#codec.decode(tokenHash, raw);
    if (session) {
      await this.#awaitReplicas(key);
      await Promise.all([
        r.del(sessionIdKey(session.id)),
        removeFromUserIndex ? r.zRem(userSessionsKey(session.userId), tokenHash) : Promise.resolve(0),
      ]);
    }
    return session;
  }

  async #awaitReplicas(key: string): Promise<void> {
    if (this.#waitReplicas <= 0) return;
    const acknowledged = await this.#redis.waitForReplicas(key, this.#waitReplicas, this.#waitTimeoutMs);
    if (acknowledged < this.#waitReplicas) {
      throw new HeimdallError('service_unavailable', 'The revocation could not be replicated; try again.');
    }
  }

  async #run<T>(work: (r: RedisConnection['commands']) => Promise<T>): Promise<T> {
    try {
      return await work(this.#redis.commands);
    } catch (error) {
      throw toUnavailable(error);
    }
  }
}
