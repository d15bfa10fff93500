import { describe, expect, it } from 'vitest';
import { describeUserAgent } from '../../src/core/device.js';
import type { RedisConnection } from '../../src/stores/redis/redis-connection.js';
import {
  RedisSessionStore,
  sessionIdKey,
  sessionKey,
  userSessionsKey,
} from '../../src/stores/redis/redis-session-store.js';
import { describeSessionStoreContract, makeSession } from '../contracts/session-store.js';
import { REDIS_TOPOLOGIES, TOPOLOGY_LABELS, useRedis } from '../helpers/redis-topologies.js';
import { COMMON_USER_AGENTS } from '../helpers/user-agents.js';

const HOUR = 3_600_000;

for (const topology of REDIS_TOPOLOGIES) {
  const redis = useRedis(topology);
  let connection: Promise<RedisConnection> | undefined;
  const connect = () => {
    connection ??= redis().then((r) => r.connect());
    return connection;
  };
  // Another instance's connection, for the contract's other writer.
  let otherConnection: Promise<RedisConnection> | undefined;

  describeSessionStoreContract(TOPOLOGY_LABELS[topology], async () => {
    otherConnection ??= redis().then((r) => r.connect());
    return {
      store: new RedisSessionStore(await connect()),
      ensureUser: async () => {},
      otherWriter: new RedisSessionStore(await otherConnection),
      expiresByItself: true,
      cleanup: async () => {},
    };
  });

  describe(`RedisSessionStore on ${TOPOLOGY_LABELS[topology]}`, () => {
    it('stores a session under hd:s:{tokenHash} expiring at the earlier of idle and absolute expiry', async () => {
      const r = await connect();
      const store = new RedisSessionStore(r);
      const now = Date.now();
      const session = makeSession('u-expiry', { idleExpiresAt: now + HOUR, absoluteExpiresAt: now + 2 * HOUR });
      await store.insert(session);
      const expireTime = Number(
        await r.commands.eval("return redis.call('PEXPIRETIME', KEYS[1])", {
          keys: [sessionKey(session.tokenHash)],
          arguments: [],
        }),
      );
      expect(expireTime).toBe(session.idleExpiresAt);
      const capped = makeSession('u-expiry', { idleExpiresAt: now + 2 * HOUR, absoluteExpiresAt: now + HOUR });
      await store.insert(capped);
      expect(
        Number(
          await r.commands.eval("return redis.call('PEXPIRETIME', KEYS[1])", {
            keys: [sessionKey(capped.tokenHash)],
            arguments: [],
          }),
        ),
      ).toBe(capped.absoluteExpiresAt);
    });

    it('touch() moves the key expiry with the idle expiry', async () => {
      const r = await connect();
      const store = new RedisSessionStore(r);
      const now = Date.now();
      const session = makeSession('u-touch', { idleExpiresAt: now + HOUR, absoluteExpiresAt: now + 5 * HOUR });
      await store.insert(session);
      await store.touch(session.tokenHash, {
        lastSeenAt: now + 1_000,
        idleExpiresAt: now + 3 * HOUR,
        ip: '198.51.100.9',
        country: null,
      });
      const expireTime = await r.commands.eval("return redis.call('PEXPIRETIME', KEYS[1])", {
        keys: [sessionKey(session.tokenHash)],
        arguments: [],
      });
      expect(Number(expireTime)).toBe(now + 3 * HOUR);
    });

    it('a session whose key expired in Redis is gone from every lookup; its index entry goes at absolute expiry', async () => {
      const r = await connect();
      const store = new RedisSessionStore(r);
      const userId = `u-gone-${Date.now()}`;
      const idleGone = makeSession(userId, { idleExpiresAt: Date.now() + HOUR, absoluteExpiresAt: Date.now() + HOUR });
      const long = makeSession(userId, { idleExpiresAt: Date.now() + HOUR, absoluteExpiresAt: Date.now() + 2 * HOUR });
      await store.insert(idleGone);
      await store.insert(long);
      // What expiry does on its own, done at once: the record vanishes, the indexes remain.
      await r.commands.del(sessionKey(idleGone.tokenHash));
      expect(await store.findById(idleGone.id)).toBeNull();
      expect((await store.listForUser(userId)).map((s) => s.id)).toEqual([long.id]);
      // An index entry past its absolute expiry is pruned on read.
      await r.commands.zAdd(userSessionsKey(userId), [{ score: Date.now() - 1, value: idleGone.tokenHash }]);
      await store.listForUser(userId);
      expect(await r.commands.zRange(userSessionsKey(userId), 0, -1)).toEqual([long.tokenHash]);
    });

    it('listing while a session is being inserted never unlinks it from sign-out-everywhere', async () => {
      const r = await connect();
      const store = new RedisSessionStore(r);
      const userId = `u-race-${Date.now()}`;
      const session = makeSession(userId, { idleExpiresAt: Date.now() + HOUR, absoluteExpiresAt: Date.now() + HOUR });
      // The first step of insert() has run (the index entry), the session record is not written yet.
      await r.commands.zAdd(userSessionsKey(userId), [{ score: session.absoluteExpiresAt, value: session.tokenHash }]);
      expect(await store.listForUser(userId)).toEqual([]);
      await store.insert(session);
      expect(await store.deleteAllForUser(userId)).toBe(1);
      expect(await store.findByTokenHash(session.tokenHash)).toBeNull();
    });

    it('a crash between insert steps leaves only an index entry, never a session without a way to revoke it', async () => {
      const r = await connect();
      const store = new RedisSessionStore(r);
      const userId = `u-crash-${Date.now()}`;
      const session = makeSession(userId, { idleExpiresAt: Date.now() + HOUR });
      await store.insert(session);
      // Every session key is listed in its user's index and id index, so deleteAllForUser always reaches it.
      expect(await r.commands.zRange(userSessionsKey(userId), 0, -1)).toEqual([session.tokenHash]);
      expect(await r.commands.get(sessionIdKey(session.id))).toBe(session.tokenHash);
      expect(await store.deleteAllForUser(userId)).toBe(1);
      expect(await r.commands.get(sessionKey(session.tokenHash))).toBeNull();
      expect(await r.commands.get(sessionIdKey(session.id))).toBeNull();
    });

    const memoryUsage = async (r: RedisConnection, tokenHash: string) =>
      Number(
        await r.commands.eval("return redis.call('MEMORY', 'USAGE', KEYS[1], 'SAMPLES', '0')", {
          keys: [sessionKey(tokenHash)],
          arguments: [],
        }),
      );

    it('keeps a session of any common browser within 400 bytes of Redis memory (MEMORY USAGE), also after activity', async () => {
      const r = await connect();
      const store = new RedisSessionStore(r);
      const now = Date.now();
      for (const userAgent of COMMON_USER_AGENTS) {
        for (const ip of ['203.0.113.250', '2001:db8:85a3::8a2e:370:7334']) {
          const session = makeSession('0196f0b6-7a1c-7c3e-9d2a-3f5e8b1c2d4e', {
            createdAt: now,
            lastSeenAt: now,
            idleExpiresAt: now + HOUR,
            absoluteExpiresAt: now + 12 * HOUR,
            userAgent,
            ip,
          });
          await store.insert(session);
          expect(await memoryUsage(r, session.tokenHash), userAgent).toBeLessThanOrEqual(400);
          // Eleven hours on: the largest activity offset a 12-hour session gets.
          const later = now + 11 * HOUR;
          await store.touch(session.tokenHash, { lastSeenAt: later, idleExpiresAt: later + HOUR, ip, country: 'NO' });
          expect(await memoryUsage(r, session.tokenHash), userAgent).toBeLessThanOrEqual(400);
        }
      }
    });

    it('touch() keeps every field exact through Lua, whatever the user agent holds', async () => {
      const r = await connect();
      const store = new RedisSessionStore(r);
      const now = Date.now();
      for (const userAgent of ['Mozilla/5.0 (X11) \\/ "q" ☃ \u0100 a/b\\', ...COMMON_USER_AGENTS.slice(0, 2)]) {
        const session = makeSession('u-exact', {
          userAgent,
          idleExpiresAt: now + HOUR,
          absoluteExpiresAt: now + 2 * HOUR,
        });
        await store.insert(session);
        const activity = { lastSeenAt: now + 7, idleExpiresAt: now + 2 * HOUR, ip: '::1', country: null };
        await store.touch(session.tokenHash, activity);
        expect(await store.findByTokenHash(session.tokenHash)).toEqual({ ...session, ...activity });
      }
    });

    it('reads, touches and revokes sessions stored in format 1 before an upgrade', async () => {
      const r = await connect();
      const store = new RedisSessionStore(r);
      const userId = `u-v1-${Date.now()}`;
      const now = Date.now();
      const s = makeSession(userId, {
        idleExpiresAt: now + HOUR,
        absoluteExpiresAt: now + 2 * HOUR,
        browser: 'Browser as stored',
        csrfToken: 'C'.repeat(43),
      });
      // Written the way format 1 wrote it: the indexes, then the record.
      const v1 = [1, s.id, s.userId, s.kind, s.userVersion, s.createdAt, s.lastSeenAt, s.idleExpiresAt];
      const record = [...v1, s.absoluteExpiresAt, s.idleTimeoutMs, 0, s.ip, s.userAgent, s.browser, s.os];
      await r.commands.zAdd(userSessionsKey(userId), [{ score: s.absoluteExpiresAt, value: s.tokenHash }]);
      await r.commands.set(sessionIdKey(s.id), s.tokenHash);
      await r.commands.set(sessionKey(s.tokenHash), JSON.stringify([...record, s.country, s.csrfToken, s.provider]), {
        expiration: { type: 'PXAT', value: s.idleExpiresAt },
      });
      expect(await store.findByTokenHash(s.tokenHash)).toEqual(s);
      expect(await store.findById(s.id)).toEqual(s);
      const activity = {
        lastSeenAt: now + 1_000,
        idleExpiresAt: now + 1_000 + HOUR,
        ip: '198.51.100.4',
        country: 'DK',
      };
      await store.touch(s.tokenHash, activity);
      expect(JSON.parse((await r.commands.get(sessionKey(s.tokenHash)))!)[0]).toBe(1);
      expect(await store.listForUser(userId)).toEqual([{ ...s, ...activity }]);
      // A proof on a format-1 record rewrites it in the current format, keeping its expiry.
      const expiry = await r.commands.eval("return redis.call('PEXPIRETIME', KEYS[1])", {
        keys: [sessionKey(s.tokenHash)],
        arguments: [],
      });
      const proof = { authenticatedAt: now + 2_000, methods: ['password' as const, 'totp' as const] };
      expect(await store.update(s.tokenHash, proof)).toBe(true);
      expect(JSON.parse((await r.commands.get(sessionKey(s.tokenHash)))!)[0]).toBe(3);
      const proven = { ...s, ...activity, ...proof, browser: describeUserAgent(s.userAgent).browser };
      expect(await store.findByTokenHash(s.tokenHash)).toEqual(proven);
      expect(
        await r.commands.eval("return redis.call('PEXPIRETIME', KEYS[1])", {
          keys: [sessionKey(s.tokenHash)],
          arguments: [],
        }),
      ).toBe(expiry);
      expect(await store.deleteAllForUser(userId)).toBe(1);
      expect(await store.findByTokenHash(s.tokenHash)).toBeNull();
      expect(await r.commands.get(sessionIdKey(s.id))).toBeNull();
    });
  });
}
