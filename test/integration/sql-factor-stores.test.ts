import { describe, expect, it } from 'vitest';
import type { Passkey } from '../../src/core/factors.js';
import { generatePublicId } from '../../src/core/ids.js';
import { SqlChallengeStore } from '../../src/stores/sql/sql-challenge-store.js';
import { SqlPasskeyStore } from '../../src/stores/sql/sql-passkey-store.js';
import { SqlPendingSignInStore } from '../../src/stores/sql/sql-pending-sign-in-store.js';
import { SqlRecoveryCodeStore } from '../../src/stores/sql/sql-recovery-code-store.js';
import { SqlTotpStore } from '../../src/stores/sql/sql-totp-store.js';
import { DIALECT_LABELS, DIALECTS, insertUserRow, useSqlDatabases } from '../helpers/sql-dialects.js';

const databases = useSqlDatabases();
const NOW = 1_800_000_000_000;

function passkeyOf(userId: string, overrides: Partial<Passkey> = {}): Passkey {
  return {
    id: generatePublicId(),
    credentialId: generatePublicId(),
    userId,
    name: 'Chrome on Linux',
    publicKey: 'cHVibGljLWtleQ',
    counter: 0,
    transports: ['internal'],
    deviceType: 'singleDevice',
    backedUp: false,
    createdAt: NOW,
    lastUsedAt: null,
    ...overrides,
  };
}

// Every check that makes a factor single-use is one statement or one transaction; PostgreSQL runs the racing
// requests on separate pooled connections, so these tests race for real there.
for (const dialect of DIALECTS) {
  describe(`second-factor stores on ${DIALECT_LABELS[dialect]}`, () => {
    async function setUp() {
      const database = await databases.open(dialect);
      const userId = `user-${generatePublicId()}`;
      await insertUserRow(database, userId);
      const secondFactorsOf = async () =>
        JSON.parse(
          (
            await database.db
              .selectFrom('users')
              .select('second_factors')
              .where('id', '=', userId)
              .executeTakeFirstOrThrow()
          ).second_factors,
        ) as string[];
      return {
        database,
        userId,
        secondFactorsOf,
        totp: new SqlTotpStore(database.db),
        codes: new SqlRecoveryCodeStore(database.db),
        passkeys: new SqlPasskeyStore(database.db),
      };
    }

    it('confirming the pending secret activates it, issues the codes and writes the kinds in one transaction', async () => {
      const { userId, totp, codes, secondFactorsOf } = await setUp();
      await totp.setPending(userId, 'sealed-1', NOW + 60_000, NOW);
      expect(await totp.confirm(userId, 'sealed-other', 7, ['d1'], NOW)).toBeNull();
      expect(await totp.confirm(userId, 'sealed-1', 7, ['d1', 'd2'], NOW + 60_000)).toBeNull();
      expect(await secondFactorsOf()).toEqual([]);
      expect(await totp.confirm(userId, 'sealed-1', 7, ['d1', 'd2'], NOW)).toEqual(['totp']);
      expect(await secondFactorsOf()).toEqual(['totp']);
      expect(await totp.find(userId)).toMatchObject({
        sealedSecret: 'sealed-1',
        lastStep: 7,
        pendingSealedSecret: null,
      });
      expect(await codes.status(userId)).toEqual({ remaining: 2, generatedAt: NOW });
      // A confirmed secret cannot be confirmed twice.
      expect(await totp.confirm(userId, 'sealed-1', 8, ['d3'], NOW)).toBeNull();
    });

    it('of concurrent codes of one step, exactly one is accepted; older steps never are', async () => {
      const { userId, totp } = await setUp();
      await totp.setPending(userId, 'sealed', NOW + 60_000, NOW);
      await totp.confirm(userId, 'sealed', 100, [], NOW);
      const results = await Promise.all(Array.from({ length: 8 }, () => totp.acceptStep(userId, 101)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await totp.acceptStep(userId, 100)).toBe(false);
      expect(await totp.acceptStep(userId, 102)).toBe(true);
    });

    it('a recovery code is spent once, even by concurrent requests', async () => {
      const { userId, totp, codes } = await setUp();
      await totp.setPending(userId, 'sealed', NOW + 60_000, NOW);
      await totp.confirm(userId, 'sealed', 1, ['digest-a', 'digest-b'], NOW);
      const results = await Promise.all(Array.from({ length: 8 }, () => codes.consume(userId, 'digest-a', NOW)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await codes.consume(userId, 'digest-zzz', NOW)).toBe(false);
      expect((await codes.status(userId)).remaining).toBe(1);
    });

    it('recovery codes exist only beside a factor: replace refuses without one, and the last removal clears them', async () => {
      const { userId, totp, codes, passkeys, secondFactorsOf } = await setUp();
      expect(await codes.replace(userId, ['x'], NOW)).toBe(false);
      const passkey = passkeyOf(userId);
      expect(await passkeys.insert(passkey, NOW)).toEqual({ ok: true, kinds: ['passkey'] });
      expect(await codes.replace(userId, ['x', 'y'], NOW)).toBe(true);
      await totp.setPending(userId, 'sealed', NOW + 60_000, NOW);
      await totp.confirm(userId, 'sealed', 1, ['z'], NOW);
      expect(await secondFactorsOf()).toEqual(['totp', 'passkey']);
      expect(await totp.remove(userId, NOW)).toEqual(['passkey']);
      expect((await codes.status(userId)).remaining).toBe(1);
      expect(await passkeys.remove(userId, passkey.id, NOW)).toEqual([]);
      expect(await codes.status(userId)).toEqual({ remaining: 0, generatedAt: null });
      expect(await secondFactorsOf()).toEqual([]);
      expect(await totp.remove(userId, NOW)).toBeNull();
    });

    it('concurrent removals of the last two factors leave the account record saying none', async () => {
      const { userId, totp, passkeys, secondFactorsOf } = await setUp();
      const passkey = passkeyOf(userId);
      await passkeys.insert(passkey, NOW);
      await totp.setPending(userId, 'sealed', NOW + 60_000, NOW);
      await totp.confirm(userId, 'sealed', 1, [], NOW);
      await Promise.all([totp.remove(userId, NOW), passkeys.remove(userId, passkey.id, NOW)]);
      expect(await secondFactorsOf()).toEqual([]);
    });

    it('passkeys: one credential id once, counters compare-and-set, renames and removals only by the owner', async () => {
      const { database, userId, passkeys } = await setUp();
      const other = `user-${generatePublicId()}`;
      await insertUserRow(database, other);
      const passkey = passkeyOf(userId);
      await passkeys.insert(passkey, NOW);
      expect(await passkeys.insert(passkeyOf(other, { credentialId: passkey.credentialId }), NOW)).toEqual({
        ok: false,
        code: 'credential_taken',
      });
      expect(await passkeys.findByCredentialId(passkey.credentialId)).toEqual(passkey);
      const uses = await Promise.all(
        Array.from({ length: 6 }, () => passkeys.recordUse(passkey.id, 0, { counter: 1, backedUp: true }, NOW + 1)),
      );
      expect(uses.filter(Boolean)).toHaveLength(1);
      expect(await passkeys.findByCredentialId(passkey.credentialId)).toMatchObject({
        counter: 1,
        backedUp: true,
        lastUsedAt: NOW + 1,
      });
      expect(await passkeys.rename(other, passkey.id, 'mine now')).toBeNull();
      expect(await passkeys.remove(other, passkey.id, NOW)).toBeNull();
      expect((await passkeys.rename(userId, passkey.id, 'Laptop'))?.name).toBe('Laptop');
      const handle = await passkeys.ensureUserHandle(userId, 'first');
      expect(await passkeys.ensureUserHandle(userId, 'second')).toBe(handle);
    });

    it('challenges and held sign-ins answer once, and only for what they were made for', async () => {
      const { database, userId } = await setUp();
      const challenges = new SqlChallengeStore(database.db);
      await challenges.put(
        { keyHash: 'k1', purpose: 'sign-in', userId: null, challenge: 'c1', expiresAt: NOW + 1 },
        NOW,
      );
      expect(await challenges.take('k1', 'step-up')).toBeNull();
      await challenges.put({ keyHash: 'k2', purpose: 'register', userId, challenge: 'c2', expiresAt: NOW + 1 }, NOW);
      await challenges.put({ keyHash: 'k2', purpose: 'register', userId, challenge: 'c3', expiresAt: NOW + 1 }, NOW);
      const taken = await Promise.all([challenges.take('k2', 'register'), challenges.take('k2', 'register')]);
      expect(taken.filter(Boolean).map((c) => c?.challenge)).toEqual(['c3']);

      const pending = new SqlPendingSignInStore(database.db);
      const held = {
        keyHash: 'h1',
        userId,
        methods: ['password' as const],
        provider: null,
        rememberMe: true,
        returnTo: null,
        failures: 0,
        createdAt: NOW,
        expiresAt: NOW + 300_000,
      };
      await pending.insert(held, NOW);
      expect(await pending.recordFailure('h1', 2)).toBe('kept');
      expect(await pending.find('h1')).toMatchObject({ failures: 1, rememberMe: true, methods: ['password'] });
      expect(await pending.recordFailure('h1', 2)).toBe('dropped');
      expect(await pending.find('h1')).toBeNull();
      await pending.insert({ ...held, keyHash: 'h2' }, NOW);
      const takes = await Promise.all([pending.take('h2'), pending.take('h2'), pending.take('h2')]);
      expect(takes.filter(Boolean)).toHaveLength(1);
    });

    it('deleting the account deletes its factors and ceremonies', async () => {
      const { database, userId, totp, passkeys } = await setUp();
      await totp.setPending(userId, 'sealed', NOW + 60_000, NOW);
      await totp.confirm(userId, 'sealed', 1, ['d'], NOW);
      await passkeys.insert(passkeyOf(userId), NOW);
      await passkeys.ensureUserHandle(userId, 'h');
      await database.db.deleteFrom('users').where('id', '=', userId).execute();
      for (const table of ['totp_factors', 'recovery_codes', 'passkeys', 'webauthn_user_handles'] as const) {
        const rows = await database.db.selectFrom(table).selectAll().where('user_id', '=', userId).execute();
        expect(rows, table).toEqual([]);
      }
    });
  });
}
