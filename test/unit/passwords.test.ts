import { describe, expect, it } from 'vitest';
import { Argon2Hasher, checkPassword, DEFAULT_ARGON2_PARAMS } from '../../src/core/passwords.js';

const POLICY = { minLength: 8, maxLength: 128 };

describe('checkPassword() (NIST 800-63B-4)', () => {
  it('accepts a long passphrase without composition rules', () => {
    expect(checkPassword('purple elephants dance', POLICY)).toEqual({ ok: true });
  });

  it('refuses passwords shorter than the minimum, counting code points not bytes', () => {
    expect(checkPassword('short', POLICY).ok).toBe(false);
    expect(checkPassword('ééééééé', POLICY).ok).toBe(false);
    expect(checkPassword('日本語のパスワード', POLICY).ok).toBe(true);
    expect(checkPassword('twelve chars', { minLength: 15, maxLength: 128 }).ok).toBe(false);
  });

  it('refuses passwords longer than 128 characters', () => {
    expect(checkPassword(`${'a b'.repeat(43)}xyz`, POLICY).ok).toBe(false);
  });

  it('refuses common passwords whatever their case', () => {
    for (const common of ['password', 'Password', '12345678', 'qwertyuiop', 'baseball', 'iloveyou']) {
      expect(checkPassword(common, POLICY).ok, common).toBe(false);
    }
  });

  it("refuses the account's own email and a single repeated character", () => {
    expect(checkPassword('odin@asgard.example', POLICY, { email: 'odin@asgard.example' }).ok).toBe(false);
    expect(checkPassword('aaaaaaaaaaaa', POLICY).ok).toBe(false);
  });
});

describe('Argon2Hasher', () => {
  it('hashes with argon2id at the OWASP baseline by default and verifies only the right password', async () => {
    const hasher = new Argon2Hasher();
    const hash = await hasher.hash('purple elephants dance');
    expect(hash).toMatch(new RegExp(`^\\$argon2id\\$v=19\\$m=${DEFAULT_ARGON2_PARAMS.memoryCost},t=2,p=1\\$`));
    expect(await hasher.verify(hash, 'purple elephants dance')).toBe(true);
    expect(await hasher.verify(hash, 'purple elephants dancE')).toBe(false);
  });

  it('treats a password typed in another Unicode form as the same (NFKC)', async () => {
    const hasher = new Argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    const hash = await hasher.hash('ﬁne caﬀeine');
    expect(await hasher.verify(hash, 'fine caffeine')).toBe(true);
  });

  it('verifies nothing against a malformed stored hash instead of throwing', async () => {
    const hasher = new Argon2Hasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    expect(await hasher.verify('not-a-hash', 'anything')).toBe(false);
    await expect(hasher.verifyDummy('anything')).resolves.toBeUndefined();
  });
});
