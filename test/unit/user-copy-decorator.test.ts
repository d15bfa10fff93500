import { describe, expect, it } from 'vitest';
import type { CreateUserResult, NewUser, User, UserRepository } from '../../src/core/user.js';
import { UserCopyDecorator } from '../../src/core/user-copy-decorator.js';

/** Methods that only read, or create a record no copy can exist of yet; every other method changes a user. */
const READS = new Set(['constructor', 'create', 'findById', 'findByEmail', 'list', 'countWithRole']);

class RecordingCopy extends UserCopyDecorator {
  readonly changed: string[] = [];
  create(user: NewUser): Promise<CreateUserResult> {
    return this.inner.create(user);
  }
  findById(id: string): Promise<User | null> {
    return this.inner.findById(id);
  }
  protected async change(id: string, write: () => Promise<User | null>): Promise<User | null> {
    this.changed.push(id);
    return write();
  }
}

/**
 * The caches (in-process, Redis `hd:u:{id}`) stay right only if every change to a user — roles, the disabled flag,
 * the session version, the password — passes through `change`: a method added to UserRepository later must too, or a
 * demotion or disable made through it would be served stale (issue 15, finding 4).
 */
describe('UserCopyDecorator', () => {
  it('sends every method that changes a user through change()', async () => {
    // Guarded writes answer a result object (GuardedUserWrite, RedeemResult); the others a record or null.
    const RESULTS = new Set(['setRoles', 'setDisabled', 'delete', 'redeemEmailToken']);
    const inner = new Proxy({} as UserRepository, {
      get: (_target, name) => async () => (RESULTS.has(String(name)) ? { ok: false, code: 'not_found' } : null),
    });
    const copy = new RecordingCopy(inner);
    const writes = Object.getOwnPropertyNames(UserCopyDecorator.prototype).filter((name) => !READS.has(name));
    expect(writes).toEqual(
      expect.arrayContaining([
        'setRoles',
        'setDisabled',
        'delete',
        'redeemEmailToken',
        'setPassword',
        'bumpSessionVersion',
      ]),
    );
    for (const name of writes) {
      const method = (copy as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name]!;
      await method.call(copy, `user-${name}`, 'x', 0);
      expect(copy.changed, `${name} must go through change() (or be listed as a read here)`).toContain(`user-${name}`);
    }
  });
});
