import { BoundedMemo } from '../../core/bounded-memo.js';
import type { CreateUserResult, NewUser, User, UserRepository } from '../../core/user.js';
import { UserCopyDecorator } from '../../core/user-copy-decorator.js';
import type { TrackedCache } from './tracked-cache.js';

/** Distinct role and factor lists kept for sharing (a deployment has a handful; made-up ones are forgotten first). */
const SHARED_LISTS = 1_024;

/**
 * One frozen copy of each list of names that many cached users repeat, their roles and their second factors (issue
 * 18: two arrays less per cached user). Frozen, so code that tried to change a user's list in place would throw
 * rather than change every user's.
 */
class ListPool {
  readonly #lists = new BoundedMemo<string, readonly string[]>(
    (json) => Object.freeze(JSON.parse(json) as string[]),
    SHARED_LISTS,
  );

  share<T extends string>(list: T[]): T[] {
    return this.#lists.get(JSON.stringify(list)) as T[];
  }
}

/**
 * UserRepository decorator: findById (roles, disabled flag and session version, read on every authenticated
 * request) is served from memory while the cache's coherence says it is current. Every change goes to the inner
 * repository first, then drops the entry so the next read fetches the new record.
 */
export class CachedUserRepository extends UserCopyDecorator {
  readonly #cache: TrackedCache<User>;
  readonly #lists = new ListPool();

  /** `cache` holds each user under the bare id (with Redis, its `localKey` maps `hd:u:{id}` invalidations to it). */
  constructor(inner: UserRepository, cache: TrackedCache<User>) {
    super(inner);
    this.#cache = cache;
  }

  async create(user: NewUser): Promise<CreateUserResult> {
    const created = await this.inner.create(user);
    this.#cache.invalidate(user.id);
    return created;
  }

  findById(id: string): Promise<User | null> {
    return this.#cache.get(id, async () => {
      const user = await this.inner.findById(id);
      if (user) {
        // Read just now, so the object is this cache's own: its id becomes the caller's instance of the same string
        // (the cached sessions' `userId`: one copy less per cached user), and its lists the shared copies.
        if (user.id === id) user.id = id;
        user.roles = this.#lists.share(user.roles);
        user.secondFactors = this.#lists.share(user.secondFactors);
      }
      return user;
    });
  }

  protected async change(id: string, write: () => Promise<User | null>): Promise<User | null> {
    this.#cache.invalidate(id);
    try {
      return await write();
    } finally {
      this.#cache.invalidate(id);
    }
  }
}
