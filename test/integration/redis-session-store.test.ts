import { describe, expect, it } from 'vitest';
import type { RedisConnection } from '../../src/stores/redis/redis-connection.js';
import {
  RedisSessionStore,
  sessionIdKey,
  sessionKey,
  userSessionsKey,
} from '../../src/stores/session/redis-session-store.js';
import { describeSessionStoreContract, makeSession } from '../contracts/session-store.js';
import { REDIS_TOPOLOGIES, TOPOLOGY_LABELS, useRedis } from '../helpers/redis-topologies.js';

const HOUR = 3_600_000;

for (const topology of REDIS_TOPOLOGIES) {
  const redis = useRedis(topology);
  let connection: Promise<RedisConnection> | undefined;
  const connect = () => {
    connection ??= redis().then((r) => r.connect());
    return connection;
  };

  describeSessionStoreContract(TOPOLOGY_LABELS[topology], async () => ({
    store: new RedisSessionStore(await connect()),
    ensureUser: async () => {},
    cleanup: async () => {},
  }));

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

    it('keeps a typical session record within 512 bytes of Redis memory (MEMORY USAGE; measured 488 B)', async () => {
      const r = await connect();
      const store = new RedisSessionStore(r);
      const session = makeSession('0196f0b6-7a1c-7c3e-9d2a-3f5e8b1c2d4e', {
        idleExpiresAt: Date.now() + HOUR,
        userAgent:
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
      });
      await store.insert(session);
      const bytes = Number(
        await r.commands.eval("return redis.call('MEMORY', 'USAGE', KEYS[1], 'SAMPLES', '0')", {
          keys: [sessionKey(session.tokenHash)],
          arguments: [],
        }),
      );
      expect(bytes).toBeLessThanOrEqual(512);
    });
  });
}
