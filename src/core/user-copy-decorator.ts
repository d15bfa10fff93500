import type {
  CreateUserResult,
  ListUsersOptions,
  NewUser,
  User,
  UserChanges,
  UserPage,
  UserRepository,
} from './user.js';

/**
 * A UserRepository around the source of truth that keeps copies of user records elsewhere (process memory, Redis).
 * Reads by email, listings and counts always go to the source; every change to one user's record goes through
 * `change`, which is where a subclass keeps its copy right. New UserRepository methods are added here once.
 */
export abstract class UserCopyDecorator implements UserRepository {
  protected readonly inner: UserRepository;

  constructor(inner: UserRepository) {
    this.inner = inner;
  }

  abstract create(user: NewUser): Promise<CreateUserResult>;
  abstract findById(id: string): Promise<User | null>;

  /** Runs `write` (a change to the user's record at the source) and keeps the copy of that record right. */
  protected abstract change(id: string, write: () => Promise<User | null>): Promise<User | null>;

  findByEmail(email: string): Promise<User | null> {
    // Sign-in reads the password hash by email: always from the source, never a copy.
    return this.inner.findByEmail(email);
  }

  list(options: ListUsersOptions): Promise<UserPage> {
    return this.inner.list(options);
  }

  setRoles(id: string, roles: string[], now: number): Promise<User | null> {
    return this.change(id, () => this.inner.setRoles(id, roles, now));
  }

  setPassword(id: string, passwordHash: string, now: number): Promise<User | null> {
    return this.change(id, () => this.inner.setPassword(id, passwordHash, now));
  }

  update(id: string, changes: UserChanges, now: number): Promise<User | null> {
    return this.change(id, () => this.inner.update(id, changes, now));
  }

  bumpSessionVersion(id: string, now: number): Promise<User | null> {
    return this.change(id, () => this.inner.bumpSessionVersion(id, now));
  }

  countWithRole(role: string): Promise<number> {
    return this.inner.countWithRole(role);
  }
}
