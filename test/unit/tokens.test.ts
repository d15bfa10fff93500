import { describe, expect, it } from 'vitest';
import { generatePublicId, generateUuidV7 } from '../../src/core/ids.js';
import { generateSecret, hashToken, looksLikeSecret, safeEqual } from '../../src/core/tokens.js';
import { FakeClock } from '../helpers/fake-clock.js';

describe('secrets and digests', () => {
  it('generateSecret() gives 32 random bytes as 43 base64url characters, never the same twice', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => generateSecret()));
    expect(secrets.size).toBe(1000);
    for (const secret of secrets) {
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret, 'base64url').length).toBe(32);
    }
  });

  it('hashToken() is SHA-256 in base64url and does not contain the secret', () => {
    const secret = generateSecret();
    expect(hashToken(secret)).toBe(hashToken(secret));
    expect(hashToken(secret)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashToken(secret)).not.toBe(secret);
    expect(hashToken(`${secret}x`)).not.toBe(hashToken(secret));
    // FIPS 180-2's "abc" vector: stored digests stay valid whichever node:crypto call computes them.
    expect(hashToken('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('safeEqual() compares exactly, including different lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });

  it('looksLikeSecret() rejects anything that is not a secret we could have issued', () => {
    expect(looksLikeSecret(generateSecret())).toBe(true);
    expect(looksLikeSecret('short')).toBe(false);
    expect(looksLikeSecret(`${generateSecret().slice(0, 42)}=`)).toBe(false);
    expect(looksLikeSecret(`${generateSecret()}A`)).toBe(false);
  });
});

describe('identifiers', () => {
  it('generateUuidV7() is a version-7 RFC 9562 UUID that sorts by time', () => {
    const clock = new FakeClock();
    const first = generateUuidV7(clock);
    clock.advance(1);
    const second = generateUuidV7(clock);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first < second).toBe(true);
    expect(Number.parseInt(first.replace(/-/g, '').slice(0, 12), 16)).toBe(clock.now() - 1);
  });

  it('generatePublicId() gives 128 random bits as 22 base64url characters', () => {
    const id = generatePublicId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(generatePublicId()).not.toBe(id);
  });
});
