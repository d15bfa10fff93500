import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOCK_TOLERANCE_SECONDS, JwtService, TOKEN_KINDS } from '../../src/core/jwt-service.js';
import { KeyRing } from '../../src/core/key-ring.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { VerifiedTokens } from '../../src/core/verified-tokens.js';
import { openDatabase, type SqlDatabase } from '../../src/stores/sql/database.js';
import { migrateToLatest } from '../../src/stores/sql/migrator.js';
import { SqlSigningKeyRepository } from '../../src/stores/sql/sql-signing-key-repository.js';
import { FakeClock } from '../helpers/fake-clock.js';

/** Shorter than an access token's life, so that a key can stop verifying while a token it signed is unexpired. */
const GRACE_MS = 60_000;

/** Counts the key lookups of full verifications (a decorator over the real ring, not a mock). */
class CountingKeyRing extends KeyRing {
  lookups = 0;
  override verificationKey(kid: string) {
    this.lookups++;
    return super.verificationKey(kid);
  }
}

/** The remembered verification of access tokens (JwtService.verify): reused only while verifying again would pass. */
describe('JwtService: verified access tokens are remembered', () => {
  let database: SqlDatabase;
  let clock: FakeClock;
  let keys: CountingKeyRing;
  let jwt: JwtService;

  beforeEach(async () => {
    database = await openDatabase('sqlite::memory:');
    await migrateToLatest(database.db);
    clock = new FakeClock();
    keys = new CountingKeyRing({
      repository: new SqlSigningKeyRepository(database.db),
      box: new SecretBox('jwt-service-test-secret-jwt-service-test', 'signing-keys'),
      clock,
      algorithm: 'EdDSA',
      verifyGraceMs: GRACE_MS,
      rotationIntervalMs: null,
    });
    await keys.load();
    jwt = new JwtService({ keys, clock, issuer: 'https://heimdall.test' });
  });

  afterEach(async () => {
    await database.close();
  });

  const accessToken = async (lifetimeSeconds = 300) =>
    (await jwt.sign('access', 'usr_odin', { sid: 'family' }, lifetimeSeconds)).token;

  it('verifies a token once and reuses the frozen claims while it is valid', async () => {
    const token = await accessToken();
    const first = await jwt.verify('access', token);
    const second = await jwt.verify('access', token);
    expect(first.ok && second.ok).toBe(true);
    expect(keys.lookups).toBe(1);
    if (!second.ok) return;
    expect(second.claims.sub).toBe('usr_odin');
    expect(Object.isFrozen(second.claims)).toBe(true);
  });

  it('a token one character away from a remembered one is verified in full, and refused', async () => {
    const token = await accessToken();
    expect((await jwt.verify('access', token)).ok).toBe(true);
    // A character inside the signature: all six of its bits are data. (The last character of an Ed25519
    // signature carries two bits and four of padding, which a decoder ignores: changing only those gives the same
    // signature back, and this test failed one run in four when it tampered there.)
    const at = token.length - 20;
    const tampered = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    expect(await jwt.verify('access', tampered)).toEqual({ ok: false, code: 'invalid' });
    expect(keys.lookups).toBe(2);
  });

  it('is refused as expired once exp plus the tolerance has passed, exactly when a full check refuses it', async () => {
    const token = await accessToken(60);
    expect((await jwt.verify('access', token)).ok).toBe(true);
    clock.advance((60 + CLOCK_TOLERANCE_SECONDS) * 1000 - 1);
    expect((await jwt.verify('access', token)).ok).toBe(true);
    clock.advance(1);
    expect(await jwt.verify('access', token)).toEqual({ ok: false, code: 'expired' });
  });

  it('is verified in full again when the clock is set back before the verification', async () => {
    const token = await accessToken();
    expect((await jwt.verify('access', token)).ok).toBe(true);
    // Issued "in the future" seen from the earlier clock: a full check refuses the iat.
    clock.advance(-(CLOCK_TOLERANCE_SECONDS + 60) * 1000);
    expect(await jwt.verify('access', token)).toEqual({ ok: false, code: 'invalid' });
  });

  it('is refused once the key that signed it no longer verifies', async () => {
    const token = await accessToken(TOKEN_KINDS.access.maxLifetimeSeconds);
    expect((await jwt.verify('access', token)).ok).toBe(true);
    await keys.rotate();
    clock.advance(GRACE_MS - 1);
    expect((await jwt.verify('access', token)).ok).toBe(true);
    clock.advance(1);
    expect(await jwt.verify('access', token)).toEqual({ ok: false, code: 'invalid' });
    await keys.maintain();
    expect(await jwt.verify('access', token)).toEqual({ ok: false, code: 'invalid' });
  });

  it('an access token remembered as verified is still refused as a download link', async () => {
    const token = await accessToken();
    expect((await jwt.verify('access', token)).ok).toBe(true);
    expect(await jwt.verify('download', token)).toEqual({ ok: false, code: 'invalid' });
  });

  it('download links are verified in full every time', async () => {
    const { token } = await jwt.sign('download', 'usr_odin', { file: 'f' }, 60);
    expect((await jwt.verify('download', token)).ok).toBe(true);
    expect((await jwt.verify('download', token)).ok).toBe(true);
    expect(keys.lookups).toBe(2);
  });
});

describe('VerifiedTokens', () => {
  const entry = (verifiedAt: number, reuseUntil: number) => ({ claims: {}, kid: 'k', verifiedAt, reuseUntil });

  it('keeps at most its bound, dropping the oldest token first', () => {
    const memo = new VerifiedTokens<object>(2);
    memo.remember('a', entry(0, 10));
    memo.remember('b', entry(0, 10));
    memo.remember('c', entry(0, 10));
    expect(memo.size).toBe(2);
    expect(memo.recall('a', 1)).toBeUndefined();
    expect(memo.recall('c', 1)).toBeDefined();
  });

  it('recalls only inside [verifiedAt, reuseUntil) and forgets what falls outside', () => {
    const memo = new VerifiedTokens<object>(4);
    memo.remember('t', entry(100, 200));
    expect(memo.recall('t', 99)).toBeUndefined();
    expect(memo.size).toBe(0);
    memo.remember('t', entry(100, 200));
    expect(memo.recall('t', 199)).toBeDefined();
    expect(memo.recall('t', 200)).toBeUndefined();
    memo.remember('never', entry(100, 100));
    expect(memo.size).toBe(0);
  });
});
