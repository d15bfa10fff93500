import type { CreateUserResult, NewUser, User, UserRepository } from '../../core/user.js';
import { UserCopyDecorator } from '../../core/user-copy-decorator.js';
import type { TrackedCache } from './tracked-cache.js';

/**
 * UserRepository decorator: findById (roles, disabled flag and session version, read on every authenticated
 * request) is served from memory while the cache's coherence says it is current. Every change goes to the inner
 * repository first, then drops the entry so the next read fetches the new record.
 */
export class CachedUserRepository extends UserCopyDecorator {
  readonly #cache: TrackedCache<User>;
  readonly #keyOf: (userId: string) => string;

  constructor(inner: UserRepository, cache: TrackedCache<User>, keyOf: (userId: string) => string) {
    super(inner);
    this.#cache = cache;
    this.#keyOf = keyOf;
  }

  async create(user: NewUser): Promise<CreateUserResult> {
    const created = await this.inner.create(user);
    this.#cache.invalidate(this.#keyOf(user.id));
    return created;
  }

  findById(id: string): Promise<User | null> {
    return this.#cache.get(this.#keyOf(id), () => this.inner.findById(id));
  }

  protected async change(id: string, write: () => Promise<User | null>): Promise<User | null> {
    const key = this.#keyOf(id);
    this.#cache.invalidate(key);
    try {
      return await write();
    } finally {
      this.#cache.invalidate(key);
    }
  }
}
