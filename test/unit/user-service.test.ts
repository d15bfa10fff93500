import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normaliseEmail } from '../../src/core/user-service.js';
import { type CoreFixture, createCoreFixture } from '../helpers/core-fixture.js';
import { CountingHasher } from '../helpers/counting-hasher.js';

const PASSWORD = 'mead hall of the slain';

describe('UserService', () => {
  let f: CoreFixture;
  let hasher: CountingHasher;

  beforeEach(async () => {
    hasher = new CountingHasher();
    f = await createCoreFixture(hasher);
  });

  afterEach(async () => {
    await f.close();
  });

  it('normaliseEmail() trims and lower-cases, and refuses what is not an address', () => {
    expect(normaliseEmail('  Odin@Asgard.EXAMPLE ')).toBe('odin@asgard.example');
    expect(normaliseEmail('no-at-sign')).toBeNull();
    expect(normaliseEmail('a@b')).toBeNull();
    expect(normaliseEmail('two words@x.io')).toBeNull();
    expect(normaliseEmail(`${'a'.repeat(250)}@x.io`)).toBeNull();
  });

  it('the first user ever becomes admin; everyone after is a plain user', async () => {
    const first = await f.users.register({ email: 'first@example.com', password: PASSWORD });
    const second = await f.users.register({ email: 'second@example.com', password: PASSWORD });
    expect(first.ok && first.user.roles).toEqual(['admin']);
    expect(second.ok && second.user.roles).toEqual(['user']);
  });

  it('concurrent first sign-ups produce exactly one admin', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => f.users.register({ email: `racer${i}@example.com`, password: PASSWORD })),
    );
    const admins = results.filter((r) => r.ok && r.user.roles.includes('admin'));
    expect(admins).toHaveLength(1);
  });

  it('emails are unique regardless of case', async () => {
    await f.users.register({ email: 'Thor@Asgard.example', password: PASSWORD });
    const again = await f.users.register({ email: 'thor@ASGARD.example', password: PASSWORD });
    expect(again).toEqual({ ok: false, code: 'email_taken' });
  });

  it('a refused registration leaves no row behind', async () => {
    const weak = await f.users.register({ email: 'loki@asgard.example', password: 'password' });
    expect(weak.ok).toBe(false);
    expect(await f.users.findByEmail('loki@asgard.example')).toBeNull();
  });

  it('authenticate() spends argon2 work for unknown emails exactly as for wrong passwords', async () => {
    await f.users.register({ email: 'odin@asgard.example', password: PASSWORD });
    expect(await f.users.authenticate('odin@asgard.example', 'wrong password here')).toBeNull();
    expect(hasher.verifies).toBe(1);
    expect(await f.users.authenticate('nobody@asgard.example', 'wrong password here')).toBeNull();
    expect(hasher.dummyVerifies).toBe(1);
    expect(await f.users.authenticate('not an email', 'wrong password here')).toBeNull();
    expect(hasher.dummyVerifies).toBe(2);
  });

  it('authenticate() accepts the right password with any case of email', async () => {
    await f.users.register({ email: 'odin@asgard.example', password: PASSWORD });
    expect((await f.users.authenticate(' ODIN@asgard.example', PASSWORD))?.email).toBe('odin@asgard.example');
  });

  it('changePassword() needs the current password and bumps the session version', async () => {
    const registered = await f.users.register({ email: 'odin@asgard.example', password: PASSWORD });
    if (!registered.ok) throw new Error('register failed');
    const wrong = await f.users.changePassword(registered.user, 'not the password', 'a brand new passphrase');
    expect(wrong.ok).toBe(false);
    const changed = await f.users.changePassword(registered.user, PASSWORD, 'a brand new passphrase');
    expect(changed.ok && changed.user.sessionVersion).toBe(registered.user.sessionVersion + 1);
    expect(await f.users.authenticate('odin@asgard.example', PASSWORD)).toBeNull();
    expect(await f.users.authenticate('odin@asgard.example', 'a brand new passphrase')).not.toBeNull();
  });

  it('setRoles() refuses to remove the last admin but allows it while another admin remains', async () => {
    const admin = await f.users.register({ email: 'admin@example.com', password: PASSWORD });
    const other = await f.users.register({ email: 'other@example.com', password: PASSWORD });
    if (!admin.ok || !other.ok) throw new Error('register failed');
    expect(await f.users.setRoles(admin.user.id, ['user'])).toEqual({ ok: false, code: 'last_admin' });
    await f.users.setRoles(other.user.id, ['admin']);
    const demoted = await f.users.setRoles(admin.user.id, ['user', 'user']);
    expect(demoted.ok && demoted.user.roles).toEqual(['user']);
  });
});
