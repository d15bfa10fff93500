import type {
  CreateUserResult,
  GuardedUserWrite,
  ListUsersOptions,
  NewUser,
  RedeemResult,
  TokenRedemption,
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

  setRoles(id: string, roles: string[], now: number): Promise<GuardedUserWrite> {
    return this.#changeWith(id, () => this.inner.setRoles(id, roles, now), userOf);
  }

  setDisabled(id: string, disabled: boolean, now: number): Promise<GuardedUserWrite> {
    return this.#changeWith(id, () => this.inner.setDisabled(id, disabled, now), userOf);
  }

  /** The copy goes with the record: `change` sees no user afterwards, so none is kept. */
  delete(id: string): Promise<GuardedUserWrite> {
    return this.#changeWith(
      id,
      () => this.inner.delete(id),
      () => null,
    );
  }

  redeemEmailToken(userId: string, redemption: TokenRedemption): Promise<RedeemResult> {
    return this.#changeWith(userId, () => this.inner.redeemEmailToken(userId, redemption), userOf);
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

  /** `change` for writes whose answer is more than the record: the record kept is the one `recordOf` finds in it. */
  async #changeWith<T>(id: string, write: () => Promise<T>, recordOf: (result: T) => User | null): Promise<T> {
    let result: T | undefined;
    await this.change(id, async () => {
      result = await write();
      return recordOf(result);
    });
    return result as T;
  }
}

function userOf(result: { ok: true; user: User } | { ok: false }): User | null {
  return result.ok ? result.user : null;
}
