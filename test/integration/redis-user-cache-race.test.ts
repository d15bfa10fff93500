import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User, UserRepository } from '../../src/core/user.js';
import type { RedisConnection } from '../../src/stores/redis/redis-connection.js';
import { RedisUserCache, userKey } from '../../src/stores/redis/redis-user-cache.js';
import { SqlUserRepository } from '../../src/stores/sql/sql-user-repository.js';
import { REDIS_TOPOLOGIES, TOPOLOGY_LABELS, useRedis } from '../helpers/redis-topologies.js';
import { useSqlDatabases } from '../helpers/sql-dialects.js';

const sql = useSqlDatabases();

/**
 * The source of truth, with a hold on the next findById(): the read happens, its answer waits for `release()`. It
 * puts a cache fill's SQL read before a deletion and the fill's write to Redis after it, the interleaving that two
 * instances (or one slow query) produce by chance.
 */
function withHeldRead(inner: UserRepository) {
  let armed: ((user: Promise<User | null>) => Promise<User | null>) | null = null;
  const repository = new Proxy(inner, {
    get(target, property) {
      if (property !== 'findById' || !armed) {
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      const hold = armed;
      armed = null;
      return (id: string) => hold(target.findById(id));
    },
  });
  return {
    repository,
    /** Holds the answer of the next findById(); `read` settles once its SQL read is done. */
    holdNextRead() {
      let readDone!: () => void;
      let release!: () => void;
      const read = new Promise<void>((resolve) => {
        readDone = resolve;
      });
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      armed = async (user) => {
        const answer = await user;
        readDone();
        await released;
        return answer;
      };
      return { read, release };
    },
  };
}

for (const topology of REDIS_TOPOLOGIES) {
  describe(`RedisUserCache on ${TOPOLOGY_LABELS[topology]}: a fill racing a deletion`, () => {
    const redis = useRedis(topology);
    let connection: RedisConnection;
    let source: ReturnType<typeof withHeldRead>;
    let users: RedisUserCache;
    let admin: User;

    beforeAll(async () => {
      connection = await (await redis()).connect();
      const database = await sql.open('sqlite');
      source = withHeldRead(new SqlUserRepository(database.db));
      users = new RedisUserCache(source.repository, connection, { ttlMs: 60_000 });
      // The first user is the bootstrap admin, whom a deletion would refuse to remove.
      admin = await created();
    });
    afterAll(async () => {
      await connection?.close();
    });

    async function created(): Promise<User> {
      const result = await users.create({
        id: randomUUID(),
        email: `${randomUUID()}@example.test`,
        name: 'Odin',
        passwordHash: null,
        createdAt: 0,
      });
      if (!result.ok) throw new Error(`setup: ${JSON.stringify(result)}`);
      return result.user;
    }

    it('never puts the deleted record back: the fill read SQL before the deletion and writes Redis after it', async () => {
      const user = await created();
      const held = source.holdNextRead();
      const fill = users.findById(user.id); // Redis misses, SQL still has the user
      await held.read;
      expect((await users.delete(user.id)).ok).toBe(true);
      held.release();
      expect(await fill).toBeNull(); // it reads back what Redis holds, not its own stale read
      expect(await users.findById(user.id)).toBeNull();
      expect(await connection.commands.get(userKey(user.id))).not.toContain(user.email);
    });

    it('a refused change leaves no marker: the record is still there and served', async () => {
      await users.findById(admin.id);
      // The last admin cannot be demoted or deleted: both writes answer "no record written".
      expect((await users.setRoles(admin.id, ['user'], 1)).ok).toBe(false);
      expect(await users.findById(admin.id)).toMatchObject({ id: admin.id, roles: admin.roles });
      expect((await users.delete(admin.id)).ok).toBe(false);
      expect(await users.findById(admin.id)).toMatchObject({ id: admin.id, roles: admin.roles });
    });
  });
}
