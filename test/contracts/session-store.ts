import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeUserAgent } from '../../src/core/device.js';
import { generatePublicId } from '../../src/core/ids.js';
import type { Session, SessionStore } from '../../src/core/session.js';
import { generateSecret, hashToken } from '../../src/core/tokens.js';

export interface SessionStoreFixture {
  store: SessionStore;
  /** Makes sure a user with this id exists where the store needs one (SQL foreign keys); a no-op elsewhere. */
  ensureUser(userId: string): Promise<void>;
  cleanup(): Promise<void>;
}

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

    it('ping() succeeds on a reachable store', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
