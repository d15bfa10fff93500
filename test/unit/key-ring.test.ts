import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/core/key-ring.js';
import { SecretBox } from '../../src/core/secret-box.js';
import type { SigningKeyRepository } from '../../src/core/signing-key.js';
import { openDatabase, type SqlDatabase } from '../../src/stores/sql/database.js';
import { migrateToLatest } from '../../src/stores/sql/migrator.js';
import { SqlSigningKeyRepository } from '../../src/stores/sql/sql-signing-key-repository.js';
import { FakeClock } from '../helpers/fake-clock.js';

const SECRET = 'key-ring-test-secret-key-ring-test-secret';
const GRACE_MS = 2 * 3_600_000;

/** Counts reads of the real repository (a decorator, not a mock). */
class CountingRepository implements SigningKeyRepository {
  lists = 0;
  constructor(readonly inner: SigningKeyRepository) {}
  list() {
    this.lists++;
    return this.inner.list();
  }
  activate(...args: Parameters<SigningKeyRepository['activate']>) {
    return this.inner.activate(...args);
  }
  retire(kid: string, now: number) {
    return this.inner.retire(kid, now);
  }
}

describe('KeyRing over SQLite', () => {
  let database: SqlDatabase;
  let repository: SqlSigningKeyRepository;
  let clock: FakeClock;

  const ring = (options: { secret?: string; repo?: SigningKeyRepository; interval?: number | null } = {}) =>
    new KeyRing({
      repository: options.repo ?? repository,
      box: new SecretBox(options.secret ?? SECRET, 'signing-keys'),
      clock,
      algorithm: 'EdDSA',
      verifyGraceMs: GRACE_MS,
      rotationIntervalMs: options.interval ?? null,
    });

  beforeEach(async () => {
    database = await openDatabase('sqlite::memory:');
    await migrateToLatest(database.db);
    repository = new SqlSigningKeyRepository(database.db);
    clock = new FakeClock();
  });

  afterEach(async () => {
    await database.close();
  });

  it('creates one active Ed25519 key on first start and reuses it on the next', async () => {
    const first = ring();
    await first.load();
    const second = ring();
    await second.load();
    expect(second.signingKey().kid).toBe(first.signingKey().kid);
    const keys = await repository.list();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ alg: 'EdDSA', state: 'active', publicJwk: { kty: 'OKP', crv: 'Ed25519' } });
    expect(keys[0]!.publicJwk).not.toHaveProperty('d');
  });

  it('stores the private key sealed, and refuses to start under a different HEIMDALL_SECRET', async () => {
    await ring().load();
    const [stored] = await repository.list();
    expect(stored!.sealedPrivateJwk).toMatch(/^v1\./);
    expect(stored!.sealedPrivateJwk).not.toContain('"d"');
    await expect(ring({ secret: `${SECRET}-changed` }).load()).rejects.toThrow(/HEIMDALL_SECRET/);
  });

  it('two rings starting at once on an empty store end with one active key between them', async () => {
    const [a, b] = [ring(), ring()];
    await Promise.all([a.load(), b.load()]);
    await Promise.all([a.reload(), b.reload()]);
    expect(a.signingKey().kid).toBe(b.signingKey().kid);
    expect((await repository.list()).filter((k) => k.state === 'active')).toHaveLength(1);
  });

  it('of two concurrent rotations exactly one wins, and both rings end up signing with its key', async () => {
    const [a, b] = [ring(), ring()];
    await a.load();
    await b.load();
    const original = a.signingKey().kid;
    await Promise.all([a.rotate(), b.rotate()]);
    await Promise.all([a.reload(), b.reload()]);
    const keys = await repository.list();
    expect(keys.filter((k) => k.state === 'active')).toHaveLength(1);
    expect(keys).toHaveLength(2);
    expect(a.signingKey().kid).toBe(b.signingKey().kid);
    expect(a.signingKey().kid).not.toBe(original);
  });

  it('rotation keeps the old key verifying until the grace has passed; maintain() then retires it', async () => {
    const keys = ring();
    await keys.load();
    const old = keys.signingKey().kid;
    await keys.rotate();
    expect((await repository.list()).find((k) => k.kid === old)).toMatchObject({
      state: 'verify-only',
      retireAfter: clock.now() + GRACE_MS,
    });
    clock.advance(GRACE_MS - 1);
    expect(await keys.verificationKey(old)).not.toBeNull();
    clock.advance(1);
    expect(await keys.verificationKey(old)).toBeNull();
    expect(keys.publicJwks().map((k) => k.kid)).toEqual([keys.signingKey().kid]);
    await keys.maintain();
    expect((await repository.list()).find((k) => k.kid === old)).toMatchObject({
      state: 'retired',
      sealedPrivateJwk: null,
    });
  });

  it('looks an unknown kid up in the store at most once every 5 seconds', async () => {
    const counting = new CountingRepository(repository);
    const keys = ring({ repo: counting });
    await keys.load();
    const before = counting.lists;
    expect(await keys.verificationKey('made-up-1')).toBeNull();
    expect(await keys.verificationKey('made-up-2')).toBeNull();
    expect(counting.lists).toBe(before + 1);
    clock.advance(5_000);
    expect(await keys.verificationKey('made-up-3')).toBeNull();
    expect(counting.lists).toBe(before + 2);
  });

  it('never imports keys per verification: known kids are answered from memory', async () => {
    const counting = new CountingRepository(repository);
    const keys = ring({ repo: counting });
    await keys.load();
    const kid = keys.signingKey().kid;
    const before = counting.lists;
    const first = await keys.verificationKey(kid);
    const second = await keys.verificationKey(kid);
    expect(second!.key).toBe(first!.key);
    expect(counting.lists).toBe(before);
  });
});
