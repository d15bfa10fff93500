import { describe, expect, it } from 'vitest';
import { generatePublicId } from '../../src/core/ids.js';
import type { NewUser } from '../../src/core/user.js';
import { SqlUserRepository } from '../../src/stores/sql/sql-user-repository.js';
import { DIALECT_LABELS, DIALECTS, useSqlDatabases } from '../helpers/sql-dialects.js';

const databases = useSqlDatabases();

let emails = 0;

function newUser(overrides: Partial<NewUser> = {}): NewUser {
  const id = `u-${generatePublicId()}`;
  return {
    id,
    // Digits only: a random address could contain the substrings the search tests look for.
    email: `user${++emails}@example.test`,
    name: 'Odin',
    passwordHash: 'hash',
    createdAt: 1_000,
    ...overrides,
  };
}

async function openRepository(dialect: (typeof DIALECTS)[number]) {
  return new SqlUserRepository((await databases.open(dialect)).db);
}

for (const dialect of DIALECTS) {
  describe(`SqlUserRepository on ${DIALECT_LABELS[dialect]}`, () => {
    it('makes the very first user admin and everyone after a user', async () => {
      const users = await openRepository(dialect);
      const first = await users.create(newUser());
      const second = await users.create(newUser());
      expect(first.ok && first.user.roles).toEqual(['admin']);
      expect(second.ok && second.user.roles).toEqual(['user']);
    });

    it('elects exactly one first admin when many sign up at once', async () => {
      const users = await openRepository(dialect);
      const results = await Promise.all(Array.from({ length: 8 }, () => users.create(newUser())));
      const admins = results.filter((r) => r.ok && r.user.roles.includes('admin'));
      expect(admins).toHaveLength(1);
      expect(await users.countWithRole('admin')).toBe(1);
    });

    it('refuses a second account with the same email and leaves no row behind', async () => {
      const users = await openRepository(dialect);
      const user = newUser();
      await users.create(user);
      expect(await users.create({ ...user, id: `u-${generatePublicId()}` })).toEqual({
        ok: false,
        code: 'email_taken',
      });
      expect((await users.list({ limit: 10 })).users).toHaveLength(1);
    });

    it('finds users by id and email with every field intact', async () => {
      const users = await openRepository(dialect);
      const input = newUser({ createdAt: 1_764_000_000_123 });
      const created = await users.create(input);
      const expected = {
        id: input.id,
        email: input.email,
        name: 'Odin',
        roles: ['admin'],
        passwordHash: 'hash',
        disabled: false,
        emailVerified: false,
        secondFactors: [],
        sessionVersion: 0,
        createdAt: 1_764_000_000_123,
        updatedAt: 1_764_000_000_123,
      };
      expect(created).toEqual({ ok: true, user: expected });
      expect(await users.findById(input.id)).toEqual(expected);
      expect(await users.findByEmail(input.email)).toEqual(expected);
      expect(await users.findById('nobody')).toBeNull();
    });

    it('lists users page by page and filters by a case-insensitive substring, LIKE wildcards taken literally', async () => {
      const users = await openRepository(dialect);
      for (const name of ['Thor', 'Loki', 'Frigg', '100%_sure']) {
        await users.create(newUser({ name }));
      }
      const first = await users.list({ limit: 3 });
      expect(first.users).toHaveLength(3);
      const second = await users.list({ limit: 3, cursor: first.nextCursor! });
      expect(second.users).toHaveLength(1);
      expect(second.nextCursor).toBeNull();
      expect((await users.list({ limit: 10, query: 'lOk' })).users.map((u) => u.name)).toEqual(['Loki']);
      expect((await users.list({ limit: 10, query: '%_' })).users.map((u) => u.name)).toEqual(['100%_sure']);
    });

    it('replaces roles and counts role holders exactly (no substring matches)', async () => {
      const users = await openRepository(dialect);
      const created = await users.create(newUser());
      const other = await users.create(newUser());
      if (!created.ok || !other.ok) throw new Error('setup');
      const updated = await users.setRoles(other.user.id, ['god', 'user'], 2_000);
      expect(updated.ok && updated.user.roles).toEqual(['god', 'user']);
      expect(updated.ok && updated.user.updatedAt).toBe(2_000);
      await users.setRoles(created.user.id, ['admin', 'godlike'], 2_000);
      expect(await users.countWithRole('god')).toBe(1);
      expect(await users.setRoles('nobody', ['god'], 2_000)).toEqual({ ok: false, code: 'not_found' });
    });

    it('setPassword() and bumpSessionVersion() each bump the session version in the same write', async () => {
      const users = await openRepository(dialect);
      const created = await users.create(newUser());
      if (!created.ok) throw new Error('setup');
      const changed = await users.setPassword(created.user.id, 'new-hash', 3_000);
      expect(changed).toMatchObject({ passwordHash: 'new-hash', sessionVersion: 1, updatedAt: 3_000 });
      const bumped = await users.bumpSessionVersion(created.user.id, 4_000);
      expect(bumped).toMatchObject({ sessionVersion: 2, updatedAt: 4_000 });
      expect(await users.bumpSessionVersion('nobody', 4_000)).toBeNull();
    });
  });
}
