import type { CreateUserResult, ListUsersOptions, NewUser, User, UserPage, UserRepository } from '../../core/user.js';
import type { TrackedCache } from './tracked-cache.js';

/**
 * UserRepository decorator: findById (roles, disabled flag and session version, read on every authenticated
 * request) is served from memory while the cache's coherence says it is current. Every change goes to the inner
 * repository first, then drops the entry so the next read fetches the new record.
 */
export class CachedUserRepository implements UserRepository {
  readonly #inner: UserRepository;
  readonly #cache: TrackedCache<User>;
  readonly #keyOf: (userId: string) => string;

  constructor(inner: UserRepository, cache: TrackedCache<User>, keyOf: (userId: string) => string) {
    this.#inner = inner;
    this.#cache = cache;
    this.#keyOf = keyOf;
  }

  async create(user: NewUser): Promise<CreateUserResult> {
    const created = await this.#inner.create(user);
    this.#cache.invalidate(this.#keyOf(user.id));
    return created;
  }

  findById(id: string): Promise<User | null> {
    return this.#cache.get(this.#keyOf(id), () => this.#inner.findById(id));
  }

  findByEmail(email: string): Promise<User | null> {
    // Sign-in reads the password hash by email: always from the source, never a cached copy.
    return this.#inner.findByEmail(email);
  }

  list(options: ListUsersOptions): Promise<UserPage> {
    return this.#inner.list(options);
  }

  setRoles(id: string, roles: string[], now: number): Promise<User | null> {
    return this.#change(id, () => this.#inner.setRoles(id, roles, now));
  }

  setPassword(id: string, passwordHash: string, now: number): Promise<User | null> {
    return this.#change(id, () => this.#inner.setPassword(id, passwordHash, now));
  }

  bumpSessionVersion(id: string, now: number): Promise<User | null> {
    return this.#change(id, () => this.#inner.bumpSessionVersion(id, now));
  }

  countWithRole(role: string): Promise<number> {
    return this.#inner.countWithRole(role);
  }

  async #change(id: string, write: () => Promise<User | null>): Promise<User | null> {
    const key = this.#keyOf(id);
    this.#cache.invalidate(key);
    try {
      return await write();
    } finally {
      this.#cache.invalidate(key);
    }
  }
}
