import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatePublicId } from '../../src/core/ids.js';
import type { RefreshTokenRecord, RefreshTokenStore } from '../../src/core/refresh-token.js';
import { generateSecret, hashToken } from '../../src/core/tokens.js';

export interface RefreshTokenStoreFixture {
  store: RefreshTokenStore;
  /** Makes sure a user with this id exists where the store needs one (SQL foreign keys); a no-op elsewhere. */
  ensureUser(userId: string): Promise<void>;
  cleanup(): Promise<void>;
}

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

export function makeRefreshToken(userId: string, overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return {
    tokenHash: hashToken(generateSecret()),
    familyId: generatePublicId(),
    userId,
    createdAt: NOW,
    expiresAt: NOW + 7 * 86_400_000,
    spentAt: null,
    ...overrides,
  };
}

/**
 * The behaviour every RefreshTokenStore must have (SQL on SQLite and PostgreSQL; Redis to follow). The heart of it
 * is spend(): however many callers race with one token, exactly one spends it.
 */
export function describeRefreshTokenStoreContract(name: string, setup: () => Promise<RefreshTokenStoreFixture>) {
  describe(`RefreshTokenStore contract: ${name}`, () => {
    let fixture: RefreshTokenStoreFixture;
    let store: RefreshTokenStore;
    const user = `user-${generatePublicId()}`;

    beforeEach(async () => {
      fixture = await setup();
      store = fixture.store;
      await fixture.ensureUser(user);
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('insert() then find() returns the same record, field for field', async () => {
      const token = makeRefreshToken(user);
      await store.insert(token);
      expect(await store.find(token.tokenHash)).toEqual(token);
      expect(await store.find(hashToken(generateSecret()))).toBeNull();
    });

    it('spend() spends an unspent token once; the next spend() reports reuse', async () => {
      const token = makeRefreshToken(user);
      await store.insert(token);
      expect(await store.spend(token.tokenHash, NOW + 1)).toEqual({
        outcome: 'spent',
        token: { ...token, spentAt: NOW + 1 },
      });
      expect(await store.spend(token.tokenHash, NOW + 2)).toEqual({
        outcome: 'reused',
        token: { ...token, spentAt: NOW + 1 },
      });
    });

    it('spend() of an unknown token is unknown, of an expired one expired (and it stays unspent)', async () => {
      const token = makeRefreshToken(user, { expiresAt: NOW + 10 });
      await store.insert(token);
      expect(await store.spend(hashToken(generateSecret()), NOW)).toEqual({ outcome: 'unknown' });
      expect(await store.spend(token.tokenHash, NOW + 10)).toEqual({ outcome: 'expired' });
      expect((await store.find(token.tokenHash))?.spentAt).toBeNull();
    });

    it('of 20 concurrent spend() calls with one token, exactly one spends it', async () => {
      const token = makeRefreshToken(user);
      await store.insert(token);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.spend(token.tokenHash, NOW + 1)));
      expect(results.filter((r) => r.outcome === 'spent')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'reused')).toHaveLength(19);
    });

    it('deleteFamily() deletes every token of one family and nothing else', async () => {
      const a1 = makeRefreshToken(user, { familyId: 'family-a', spentAt: NOW });
      const a2 = makeRefreshToken(user, { familyId: 'family-a' });
      const b1 = makeRefreshToken(user, { familyId: 'family-b' });
      for (const token of [a1, a2, b1]) await store.insert(token);
      expect(await store.deleteFamily('family-a')).toBe(2);
      expect(await store.find(a1.tokenHash)).toBeNull();
      expect(await store.find(a2.tokenHash)).toBeNull();
      expect(await store.find(b1.tokenHash)).toEqual(b1);
    });

    it('pruneExpired() removes expired tokens, spent or not, and keeps live ones', async () => {
      const expired = makeRefreshToken(user, { expiresAt: NOW });
      const spentExpired = makeRefreshToken(user, { expiresAt: NOW - 1, spentAt: NOW - 5 });
      const live = makeRefreshToken(user, { expiresAt: NOW + 1 });
      for (const token of [expired, spentExpired, live]) await store.insert(token);
      expect(await store.pruneExpired(NOW)).toBe(2);
      expect(await store.find(live.tokenHash)).toEqual(live);
    });
  });
}
