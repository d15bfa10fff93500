import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeUserAgent } from '../../src/core/device.js';
import { generatePublicId } from '../../src/core/ids.js';
import type { Session, SessionStore } from '../../src/core/session.js';
import { generateSecret, hashToken } from '../../src/core/tokens.js';

export interface SessionStoreFixture {
  store: SessionStore;
  /** Makes sure a user with this id exists where the store needs one (SQL foreign keys); a no-op elsewhere. */
  ensureUser(userId: string): Promise<void>;
  /**
   * Another writer to the same sessions, as a second instance or the CLI: the undecorated store on a second
   * connection. Absent: `store` itself.
   */
  otherWriter?: SessionStore;
  /**
   * How soon otherWriter's changes show through `store`: on the very next read (SQL without a cache),
   * on the first read of a later task (SQLite's data_version, checked once per task: the other writer is another
   * process, and a request that starts after its commit sees it), or within a short bounded wait (Redis client
   * tracking pushes invalidations asynchronously). Default next-read.
   */
  coherence?: 'next-read' | 'next-task' | 'eventual';
  /** Records expire by themselves (Redis PEXPIREAT), so pruneExpired() removes nothing and returns 0. */
  expiresByItself?: boolean;
  cleanup(): Promise<void>;
}

/** Bounds the wait for an invalidation pushed by Redis: generous for a loaded machine, tiny for a working one. */
const EVENTUALLY = { timeout: 2_000, interval: 10 };

const byId = (a: Session, b: Session) => a.id.localeCompare(b.id);

/**
 * Sessions are made "now" by the wall clock, whole seconds: stores whose records expire by themselves (Redis
 * PEXPIREAT) would drop a session whose expiry lies in the past before the test could read it back.
 */
const NOW = Math.floor(Date.now() / 1000) * 1000;

/** A desktop Chrome user agent, as most sessions have one. */
export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/**
 * A session as SessionService makes them. Browser and OS are always those parsed from the user agent (a store may
 * derive them rather than store them), so an override of `userAgent` brings its own.
 */
export function makeSession(userId: string, overrides: Partial<Session> = {}): Session {
  const userAgent = overrides.userAgent ?? CHROME_UA;
  return {
    id: generatePublicId(),
    tokenHash: hashToken(generateSecret()),
    userId,
    kind: 'cookie',
    userVersion: 0,
    createdAt: NOW,
    lastSeenAt: NOW,
    idleExpiresAt: NOW + 30 * 60_000,
    absoluteExpiresAt: NOW + 12 * 3_600_000,
    idleTimeoutMs: 30 * 60_000,
    rememberMe: false,
    ip: '203.0.113.7',
    userAgent,
    ...describeUserAgent(userAgent),
    country: 'SE',
    csrfToken: generateSecret(undefined, 16),
    provider: null,
    authenticatedAt: NOW,
    methods: ['password'],
    deviceKey: null,
    ...overrides,
  };
}

/**
 * The behaviour every SessionStore must have (SQLite, PostgreSQL, Redis, Redis Cluster). Stores whose records
 * expire by themselves get real expiry times relative to the wall clock, so `expires` tests pass `realTime`.
 */
export function describeSessionStoreContract(name: string, setup: () => Promise<SessionStoreFixture>): void {
  describe(`SessionStore contract: ${name}`, () => {
    let fixture: SessionStoreFixture;
    let store: SessionStore;
    // Fresh users for every test, so a fixture may share one database or Redis across the suite.
    let userA: string;
    let userB: string;

    beforeEach(async () => {
      userA = `user-a-${generatePublicId()}`;
      userB = `user-b-${generatePublicId()}`;
      fixture = await setup();
      store = fixture.store;
      await fixture.ensureUser(userA);
      await fixture.ensureUser(userB);
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('insert() then findByTokenHash() returns the same session, field for field', async () => {
      const session = makeSession(userA, { rememberMe: true, provider: 'keycloak', country: null, kind: 'api' });
      await store.insert(session);
      expect(await store.findByTokenHash(session.tokenHash)).toEqual(session);
    });

    it('keeps sessions without a user agent, with unusual ones, and with an idle expiry capped by the absolute one', async () => {
      const sessions = [
        makeSession(userA, { userAgent: '' }),
        makeSession(userA, { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) ☃ "quoted" \\ back\\/slash/ \u0100' }),
        makeSession(userA, { userAgent: 'curl/8.5.0', ip: '2001:db8:85a3::8a2e:370:7334' }),
        makeSession(userA, {
          idleExpiresAt: NOW + 3_600_000,
          absoluteExpiresAt: NOW + 3_600_000,
          idleTimeoutMs: 2 * 3_600_000,
        }),
      ];
      for (const s of sessions) await store.insert(s);
      for (const s of sessions) expect(await store.findByTokenHash(s.tokenHash)).toEqual(s);
    });

    it('findById() finds by the public id and never by the token hash', async () => {
      const session = makeSession(userA);
      await store.insert(session);
      expect(await store.findById(session.id)).toEqual(session);
      expect(await store.findById(session.tokenHash)).toBeNull();
    });

    it('returns null for unknown hashes and ids', async () => {
      expect(await store.findByTokenHash(hashToken(generateSecret()))).toBeNull();
      expect(await store.findById(generatePublicId())).toBeNull();
    });

    it('touch() records activity and slides the idle expiry', async () => {
      const session = makeSession(userA);
      await store.insert(session);
      const activity = {
        lastSeenAt: NOW + 120_000,
        idleExpiresAt: NOW + 120_000 + 30 * 60_000,
        ip: '198.51.100.1',
        country: 'NO',
      };
      await store.touch(session.tokenHash, activity);
      expect(await store.findByTokenHash(session.tokenHash)).toEqual({ ...session, ...activity });
    });

    it('touch() of a deleted session does not bring it back', async () => {
      const session = makeSession(userA);
      await store.insert(session);
      await store.delete(session.tokenHash);
      await store.touch(session.tokenHash, {
        lastSeenAt: NOW + 1,
        idleExpiresAt: NOW + 60_000,
        ip: session.ip,
        country: null,
      });
      expect(await store.findByTokenHash(session.tokenHash)).toBeNull();
      expect(await store.findById(session.id)).toBeNull();
    });

    it('update() changes the proof and the device binding in place, and never brings a deleted session back', async () => {
      const session = makeSession(userA);
      await store.insert(session);
      const proof = {
        authenticatedAt: NOW + 90_000,
        methods: ['password' as const, 'totp' as const],
        deviceKey: '{"kty":"EC","crv":"P-256","x":"x/y+z","y":"\\u00e9"}',
      };
      expect(await store.update(session.tokenHash, proof)).toBe(true);
      expect(await store.findByTokenHash(session.tokenHash)).toEqual({ ...session, ...proof });
      expect(await store.update(session.tokenHash, { deviceKey: null })).toBe(true);
      expect(await store.findById(session.id)).toEqual({ ...session, ...proof, deviceKey: null });
      await store.delete(session.tokenHash);
      expect(await store.update(session.tokenHash, { authenticatedAt: NOW + 100_000 })).toBe(false);
      expect(await store.findByTokenHash(session.tokenHash)).toBeNull();
    });

    it('a session re-inserted under a new secret after delete() keeps its public id (re-authentication)', async () => {
      const session = makeSession(userA);
      await store.insert(session);
      expect(await store.findById(session.id)).toEqual(session);
      const proven = {
        ...session,
        tokenHash: hashToken(generateSecret()),
        methods: ['password' as const, 'totp' as const],
      };
      await store.delete(session.tokenHash);
      await store.insert(proven);
      expect(await store.findByTokenHash(session.tokenHash)).toBeNull();
      expect(await store.findByTokenHash(proven.tokenHash)).toEqual(proven);
      expect(await store.findById(session.id)).toEqual(proven);
      expect(await store.listForUser(userA)).toEqual([proven]);
    });

    it('a device binding (DBSC) survives activity and re-authentication, is listed, and goes with the session', async () => {
      const session = makeSession(userA);
      await store.insert(session);
      // The stored form DeviceBindingService writes: the public JWK and when it was bound.
      const deviceKey = JSON.stringify({
        kty: 'EC',
        crv: 'P-256',
        x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
        y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        boundAt: NOW + 1_000,
      });
      expect(await store.update(session.tokenHash, { deviceKey })).toBe(true);
      const activity = {
        lastSeenAt: NOW + 61_000,
        idleExpiresAt: NOW + 61_000 + 1_800_000,
        ip: '10.0.0.9',
        country: null,
      };
      await store.touch(session.tokenHash, activity);
      const bound = { ...session, ...activity, deviceKey };
      expect(await store.findByTokenHash(session.tokenHash)).toEqual(bound);
      const reproven = { ...bound, tokenHash: hashToken(generateSecret()), authenticatedAt: NOW + 62_000 };
      await store.delete(session.tokenHash);
      await store.insert(reproven);
      expect(await store.findById(session.id)).toEqual(reproven);
      expect((await store.listForUser(userA)).map((s) => s.deviceKey)).toEqual([deviceKey]);
      expect(await store.delete(reproven.tokenHash)).toBe(true);
      expect(await store.findById(session.id)).toBeNull();
    });

    it('delete() removes the session from every lookup and reports whether it existed', async () => {
      const session = makeSession(userA);
      await store.insert(session);
      expect(await store.delete(session.tokenHash)).toBe(true);
      expect(await store.findByTokenHash(session.tokenHash)).toBeNull();
      expect(await store.findById(session.id)).toBeNull();
      expect(await store.listForUser(userA)).toEqual([]);
      expect(await store.delete(session.tokenHash)).toBe(false);
    });

    it("listForUser() lists only that user's sessions", async () => {
      const a1 = makeSession(userA);
      const a2 = makeSession(userA, { createdAt: NOW + 1 });
      const b1 = makeSession(userB);
      for (const s of [a1, a2, b1]) await store.insert(s);
      const listed = await store.listForUser(userA);
      expect(listed.map((s) => s.id).sort()).toEqual([a1.id, a2.id].sort());
      expect((await store.listForUser(userB)).map((s) => s.id)).toEqual([b1.id]);
    });

    it('deleteAllForUser() deletes every session of one user, optionally keeping one', async () => {
      const a1 = makeSession(userA);
      const a2 = makeSession(userA);
      const a3 = makeSession(userA);
      const b1 = makeSession(userB);
      for (const s of [a1, a2, a3, b1]) await store.insert(s);
      expect(await store.deleteAllForUser(userA, a1.tokenHash)).toBe(2);
      expect((await store.listForUser(userA)).map((s) => s.id)).toEqual([a1.id]);
      expect(await store.findByTokenHash(a2.tokenHash)).toBeNull();
      expect(await store.deleteAllForUser(userA)).toBe(1);
      expect(await store.findByTokenHash(a1.tokenHash)).toBeNull();
      expect(await store.findByTokenHash(b1.tokenHash)).toEqual(b1);
    });

    it('many sessions per user stay independent', async () => {
      const sessions = Array.from({ length: 25 }, () => makeSession(userA));
      await Promise.all(sessions.map((s) => store.insert(s)));
      expect((await store.listForUser(userA)).length).toBe(25);
      await store.delete(sessions[3]!.tokenHash);
      expect((await store.listForUser(userA)).length).toBe(24);
      expect(await store.findByTokenHash(sessions[4]!.tokenHash)).toEqual(sessions[4]);
    });

    it('pruneExpired() never removes a live session', async () => {
      const live = makeSession(userA, {
        idleExpiresAt: Date.now() + 600_000,
        absoluteExpiresAt: Date.now() + 3_600_000,
      });
      await store.insert(live);
      await store.pruneExpired(Date.now());
      expect(await store.findByTokenHash(live.tokenHash)).toEqual(live);
    });

    it('trimForUser() deletes the oldest sessions beyond the newest `keep` and returns them, one user only', async () => {
      const sessions = Array.from({ length: 6 }, (_, i) =>
        makeSession(userA, { createdAt: NOW - (6 - i) * 1_000, kind: i === 0 ? 'api' : 'cookie' }),
      );
      const other = makeSession(userB, { createdAt: NOW - 60_000 });
      for (const s of [...sessions, other]) await store.insert(s);
      expect(await store.trimForUser(userA, 6)).toEqual([]);
      const trimmed = await store.trimForUser(userA, 4);
      expect(trimmed.sort(byId)).toEqual(sessions.slice(0, 2).sort(byId));
      for (const s of sessions.slice(0, 2)) {
        expect(await store.findByTokenHash(s.tokenHash)).toBeNull();
        expect(await store.findById(s.id)).toBeNull();
      }
      expect((await store.listForUser(userA)).sort(byId)).toEqual(sessions.slice(2).sort(byId));
      expect(await store.findByTokenHash(other.tokenHash)).toEqual(other);
    });

    it('trimForUser() after concurrent inserts never leaves more than `keep`, and keeps the newest', async () => {
      const keep = 5;
      const older = Array.from({ length: keep }, (_, i) => makeSession(userA, { createdAt: NOW - 100_000 + i }));
      for (const s of older) await store.insert(s);
      // Twelve sign-ins at once, each inserting and then trimming, as SessionService.create does.
      const newer = Array.from({ length: 12 }, (_, i) => makeSession(userA, { createdAt: NOW - 50_000 + i }));
      const trimmed = await Promise.all(
        newer.map(async (s) => {
          await store.insert(s);
          return store.trimForUser(userA, keep);
        }),
      );
      const left = await store.listForUser(userA);
      expect(left.length).toBe(keep);
      expect(left.sort(byId)).toEqual(newer.slice(-keep).sort(byId));
      // Every session that went was reported gone by some trim, and none twice.
      const reported = trimmed.flat().map((s) => s.id);
      expect(new Set(reported).size).toBe(reported.length);
      expect(reported.sort()).toEqual([...older, ...newer.slice(0, -keep)].map((s) => s.id).sort());
    });

    it('countriesForUser() gives the distinct countries of live sessions only, sorted', async () => {
      const now = Date.now();
      await store.insert(makeSession(userA, { country: 'SE' }));
      await store.insert(makeSession(userA, { country: 'DE' }));
      await store.insert(makeSession(userA, { country: 'SE' }));
      await store.insert(makeSession(userA, { country: null }));
      await store.insert(makeSession(userB, { country: 'FR' }));
      const idle = makeSession(userA, { country: 'BR', idleExpiresAt: now + 500 });
      await store.insert(idle);
      expect(await store.countriesForUser(userA, now)).toEqual(['BR', 'DE', 'SE']);
      // Past the idle expiry of the Brazilian session (judged at `now`, whether or not the store dropped it yet).
      expect(await store.countriesForUser(userA, now + 1_000)).toEqual(['DE', 'SE']);
      expect(await store.countriesForUser(`user-none-${generatePublicId()}`, now)).toEqual([]);
    });

    it('ping() succeeds on a reachable store', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    // What follows reads before it writes, so that a caching decorator holds what the write must change.

    /** The user's sessions, in a stable order. */
    const listOf = async (userId: string) => (await store.listForUser(userId)).sort(byId);

    /** Expects `read` to give `expected`: on the next read, or within a bounded wait for eventual coherence. */
    async function expectSeen(read: () => Promise<unknown>, expected: unknown): Promise<void> {
      if (fixture.coherence === 'eventual') return expect.poll(read, EVENTUALLY).toEqual(expected);
      if (fixture.coherence === 'next-task') await new Promise((resolve) => setImmediate(resolve));
      expect(await read()).toEqual(expected);
    }

    it('a session read before touch() is read with the new activity afterwards, alone and in its list', async () => {
      const session = makeSession(userA);
      const other = makeSession(userA);
      for (const s of [session, other]) await store.insert(s);
      expect(await store.findByTokenHash(session.tokenHash)).toEqual(session);
      expect(await listOf(userA)).toEqual([session, other].sort(byId));
      const activity = {
        lastSeenAt: NOW + 60_000,
        idleExpiresAt: NOW + 60_000 + 30 * 60_000,
        ip: '::1',
        country: null,
      };
      await store.touch(session.tokenHash, activity);
      const touched = { ...session, ...activity };
      expect(await store.findByTokenHash(session.tokenHash)).toEqual(touched);
      expect(await store.findById(session.id)).toEqual(touched);
      expect(await listOf(userA)).toEqual([touched, other].sort(byId));
    });

    it('a session read before update() is read with the new proof afterwards, alone and in its list', async () => {
      const session = makeSession(userA);
      await store.insert(session);
      expect(await store.findByTokenHash(session.tokenHash)).toEqual(session);
      expect(await listOf(userA)).toEqual([session]);
      const proof = { authenticatedAt: NOW + 30_000, methods: ['passkey' as const], deviceKey: '{"kty":"EC"}' };
      await store.update(session.tokenHash, proof);
      expect(await store.findByTokenHash(session.tokenHash)).toEqual({ ...session, ...proof });
      expect(await listOf(userA)).toEqual([{ ...session, ...proof }]);
    });

    it('a session read before delete() is gone afterwards from every lookup, and from the list read before', async () => {
      const doomed = makeSession(userA, { kind: 'api' });
      const kept = makeSession(userA);
      for (const s of [doomed, kept]) await store.insert(s);
      expect(await store.findByTokenHash(doomed.tokenHash)).toEqual(doomed);
      expect(await store.findById(doomed.id)).toEqual(doomed);
      expect(await listOf(userA)).toEqual([doomed, kept].sort(byId));
      expect(await store.delete(doomed.tokenHash)).toBe(true);
      expect(await store.findByTokenHash(doomed.tokenHash)).toBeNull();
      expect(await store.findById(doomed.id)).toBeNull();
      expect(await listOf(userA)).toEqual([kept]);
      expect(await store.findByTokenHash(kept.tokenHash)).toEqual(kept);
    });

    it("a user's list read before insert() includes the new session afterwards", async () => {
      const first = makeSession(userA);
      await store.insert(first);
      expect(await listOf(userA)).toEqual([first]);
      expect(await listOf(userB)).toEqual([]);
      const second = makeSession(userA);
      const ofB = makeSession(userB);
      for (const s of [second, ofB]) await store.insert(s);
      expect(await listOf(userA)).toEqual([first, second].sort(byId));
      expect(await listOf(userB)).toEqual([ofB]);
    });

    it('deleteAllForUser() takes sessions read just before out of every lookup and keeps the excepted one', async () => {
      const kept = makeSession(userA);
      const doomed = [makeSession(userA), makeSession(userA, { kind: 'api' })];
      const ofB = makeSession(userB);
      for (const s of [kept, ...doomed, ofB]) await store.insert(s);
      for (const s of [kept, ...doomed, ofB]) expect(await store.findByTokenHash(s.tokenHash)).toEqual(s);
      expect(await listOf(userA)).toHaveLength(3);
      expect(await listOf(userB)).toEqual([ofB]);
      expect(await store.deleteAllForUser(userA, kept.tokenHash)).toBe(2);
      for (const s of doomed) expect(await store.findByTokenHash(s.tokenHash)).toBeNull();
      expect(await listOf(userA)).toEqual([kept]);
      expect(await store.findByTokenHash(kept.tokenHash)).toEqual(kept);
      expect(await listOf(userB)).toEqual([ofB]);
      expect(await store.deleteAllForUser(userA)).toBe(1);
      expect(await store.findByTokenHash(kept.tokenHash)).toBeNull();
      expect(await listOf(userA)).toEqual([]);
      expect(await store.findByTokenHash(ofB.tokenHash)).toEqual(ofB);
    });

    it('what pruneExpired() removes is gone from every lookup, even if read just before', async () => {
      const session = makeSession(userA);
      await store.insert(session);
      expect(await store.findByTokenHash(session.tokenHash)).toEqual(session);
      expect(await listOf(userA)).toEqual([session]);
      const pruned = await store.pruneExpired(session.idleExpiresAt);
      if (fixture.expiresByItself) {
        expect(pruned).toBe(0);
        expect(await store.findByTokenHash(session.tokenHash)).toEqual(session);
        return;
      }
      expect(pruned).toBeGreaterThanOrEqual(1);
      expect(await store.findByTokenHash(session.tokenHash)).toBeNull();
      expect(await store.findById(session.id)).toBeNull();
      expect(await listOf(userA)).toEqual([]);
    });

    it("the list listForUser() returns is the caller's to sort and cut", async () => {
      const sessions = [makeSession(userA), makeSession(userA), makeSession(userA)];
      for (const s of sessions) await store.insert(s);
      const listed = await store.listForUser(userA);
      listed.reverse();
      listed.length = 1;
      expect(await listOf(userA)).toEqual(sessions.sort(byId));
    });

    it('reads racing a touch() or a delete() never leave the old record to be served after it', async () => {
      for (let round = 1; round <= 5; round++) {
        const session = makeSession(userA);
        const { tokenHash } = session;
        await store.insert(session);
        await store.findByTokenHash(tokenHash);
        const activity = {
          lastSeenAt: NOW + round,
          idleExpiresAt: NOW + round + 30 * 60_000,
          ip: '::1',
          country: null,
        };
        const reads = () => [store.findByTokenHash(tokenHash), store.listForUser(userA)];
        await Promise.all([...reads(), store.touch(tokenHash, activity), ...reads()]);
        expect(await store.findByTokenHash(tokenHash)).toEqual({ ...session, ...activity });
        expect(await listOf(userA)).toEqual([{ ...session, ...activity }]);
        await Promise.all([...reads(), store.delete(tokenHash), ...reads()]);
        expect(await store.findByTokenHash(tokenHash)).toBeNull();
        expect(await listOf(userA)).toEqual([]);
      }
    });

    it('changes made by another writer show through this store: activity, new sessions, deletions', async () => {
      const writer = fixture.otherWriter ?? store;
      const session = makeSession(userA);
      const doomed = makeSession(userA);
      for (const s of [session, doomed]) await store.insert(s);
      // Read twice, so that a caching store holds the records before they change elsewhere.
      for (let i = 0; i < 2; i++) {
        expect(await store.findByTokenHash(session.tokenHash)).toEqual(session);
        expect(await store.findByTokenHash(doomed.tokenHash)).toEqual(doomed);
        expect(await listOf(userA)).toEqual([session, doomed].sort(byId));
      }
      const activity = {
        lastSeenAt: NOW + 5_000,
        idleExpiresAt: NOW + 5_000 + 30 * 60_000,
        ip: '10.0.0.1',
        country: 'FI',
      };
      await writer.touch(session.tokenHash, activity);
      const touched = { ...session, ...activity };
      await expectSeen(() => store.findByTokenHash(session.tokenHash), touched);
      await expectSeen(() => listOf(userA), [touched, doomed].sort(byId));
      expect(await writer.delete(doomed.tokenHash)).toBe(true);
      await expectSeen(() => store.findByTokenHash(doomed.tokenHash), null);
      await expectSeen(() => listOf(userA), [touched]);
      const added = makeSession(userA);
      await writer.insert(added);
      await expectSeen(() => listOf(userA), [touched, added].sort(byId));
      await expectSeen(() => store.findByTokenHash(added.tokenHash), added);
    });

    it('sign-out everywhere by another writer signs the user out here too', async () => {
      const writer = fixture.otherWriter ?? store;
      const sessions = [makeSession(userA), makeSession(userA, { kind: 'api' })];
      const ofB = makeSession(userB);
      for (const s of [...sessions, ofB]) await store.insert(s);
      for (let i = 0; i < 2; i++) {
        for (const s of [...sessions, ofB]) expect(await store.findByTokenHash(s.tokenHash)).toEqual(s);
        expect(await listOf(userA)).toEqual([...sessions].sort(byId));
      }
      expect(await writer.deleteAllForUser(userA)).toBe(2);
      for (const s of sessions) await expectSeen(() => store.findByTokenHash(s.tokenHash), null);
      await expectSeen(() => listOf(userA), []);
      expect(await store.findByTokenHash(ofB.tokenHash)).toEqual(ofB);
    });
  });
}
