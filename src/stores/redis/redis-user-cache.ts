import type { CreateUserResult, NewUser, User, UserRepository } from '../../core/user.js';
import { UserCopyDecorator } from '../../core/user-copy-decorator.js';
import { keyFamily } from './key-family.js';
import type { RedisConnection } from './redis-connection.js';
import { toUnavailable } from './redis-errors.js';

const USERS = keyFamily('hd:u:');
export const userKey = USERS.key;

/**
 * The shared copy never carries the password hash: Redis is a cache that more processes can read than the database,
 * and nothing on the request path needs the hash. Whether a password exists survives (the field stays non-null);
 * code that verifies a password reads the record from SQL (UserService does, through findByEmail).
 */
export const PASSWORD_NOT_SHARED = '[not shared]';

/**
 * What `hd:u:{id}` holds, for the copy's lifetime, once the record is gone: a marker with no personal data that makes
 * a fill racing the deletion (read from SQL before it, written after it) fail its NX, so the deleted record is never
 * served afterwards. Ids are never reused, so the marker can only ever be right.
 */
export const NO_USER = 'null';

function toSharedCopy(user: User): string {
  return JSON.stringify({ ...user, passwordHash: user.passwordHash === null ? null : PASSWORD_NOT_SHARED });
}

/** A user from the shared copy, whose password marker is the one shared string rather than a copy per user. */
function fromSharedCopy(raw: string): User | null {
  const user = JSON.parse(raw) as User | null;
  if (user?.passwordHash === PASSWORD_NOT_SHARED) user.passwordHash = PASSWORD_NOT_SHARED;
  return user;
}

/** The user id a user copy's key names (`hd:u:{id}` → `id`), any other key as it is (for caches keyed by bare id). */
export const userIdOfKey = USERS.tagOf;

export interface RedisUserCacheOptions {
  /** Bounds how long a copy that missed a write (e.g. a change made directly in SQL) can live. */
  ttlMs: number;
}

/**
 * UserRepository decorator that keeps `hd:u:{userId}` in Redis as a shared copy of each user record, so every
 * instance's tracked in-process cache can be told when a user changes. The SQL database stays the source of truth:
 * every change made through Heimdall deletes the copy before the SQL write (a failed Redis leaves SQL untouched)
 * and writes the new record after it, which invalidates it on every instance that cached it.
 */
export class RedisUserCache extends UserCopyDecorator {
  readonly #redis: RedisConnection;
  readonly #ttlMs: number;

  constructor(inner: UserRepository, redis: RedisConnection, options: RedisUserCacheOptions) {
    super(inner);
    this.#redis = redis;
    this.#ttlMs = options.ttlMs;
  }

  create(user: NewUser): Promise<CreateUserResult> {
    return this.inner.create(user);
  }

  async findById(id: string): Promise<User | null> {
    const key = userKey(id);
    const raw = await this.#redisCall(() => this.#redis.commands.get(key));
    if (raw !== null) return fromSharedCopy(raw);
    const user = await this.inner.findById(id);
    if (!user) return null;
    // NX: a fill must never overwrite the record a concurrent change just wrote.
    await this.#redisCall(() => this.#redis.commands.set(key, toSharedCopy(user), this.#options('NX')));
    // Read it back: our own write made Redis forget that this connection tracks the key (NOLOOP or not), and only a
    // tracked read lets the in-process copy be told about the next change. It also returns a concurrent writer's
    // newer record rather than our SQL read.
    const current = await this.#redisCall(() => this.#redis.commands.get(key));
    return current === null ? user : fromSharedCopy(current);
  }

  protected async change(id: string, write: () => Promise<User | null>): Promise<User | null> {
    const key = userKey(id);
    await this.#redisCall(() => this.#redis.commands.del(key));
    const user = await write();
    if (user) {
      await this.#redisCall(() => this.#redis.commands.set(key, toSharedCopy(user), this.#options()));
    } else if ((await this.inner.findById(id)) === null) {
      // The record is gone: the marker replaces any copy filled from SQL before the deletion, and refuses the fills
      // still on their way (a plain delete here would let a late fill put the deleted record back for the TTL).
      await this.#redisCall(() => this.#redis.commands.set(key, NO_USER, this.#options()));
    } else {
      // A refused change: the record did not change, so any copy filled meanwhile is right; drop it anyway rather
      // than race a concurrent writer's newer copy.
      await this.#redisCall(() => this.#redis.commands.del(key));
    }
    return user;
  }

  #options(condition?: 'NX') {
    return { expiration: { type: 'PX' as const, value: this.#ttlMs }, ...(condition ? { condition } : {}) };
  }

  async #redisCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toUnavailable(error);
    }
  }
}
