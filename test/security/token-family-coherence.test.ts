import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionKey } from '../../src/stores/redis/redis-session-store.js';
import { openDatabase } from '../../src/stores/sql/database.js';
import { ApiClient } from '../helpers/api-client.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { tempDir } from '../helpers/heimdall-process.js';
import { useRedis } from '../helpers/redis-topologies.js';
import { useSqlDatabases } from '../helpers/sql-dialects.js';
import { createTestApp, signedUpClient, type TestApp } from '../helpers/test-app.js';

const EMAIL = 'odin@asgard.example';

/**
 * An API token family removed outside Heimdall's write path (an operator's `DELETE` in SQL, a `DEL` in Redis) must
 * stop its access tokens as soon as any other revocation would, not a minute later from a private cache
 * (outside security review, issue 15, finding 5).
 */
describe('an API token family deleted behind Heimdall’s back stops working at once (ASVS 7.4.1, 8.3.2)', () => {
  const dir = tempDir('heimdall-family-');
  const databases = useSqlDatabases();
  const redis = useRedis('single');
  afterAll(() => dir.remove());

  /** Signs in for tokens, proves the Bearer works (and is now cached), and returns the family id. */
  async function familyInUse(t: TestApp, api: ApiClient): Promise<string> {
    await signedUpClient(t.app, EMAIL);
    expect((await api.signIn(EMAIL)).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await api.get('/api/session')).statusCode).toBe(200);
    return (await api.get('/api/session')).json().session.id as string;
  }

  it('SQLite (in-process cache kept by PRAGMA data_version): a DELETE from another connection', async () => {
    const path = join(dir.dir, 'sqlite.db');
    const t = await createTestApp({ DATABASE_URL: `sqlite:${path}` });
    try {
      const api = new ApiClient(t.app);
      const familyId = await familyInUse(t, api);
      const db = new SQLite(path);
      expect(db.prepare('delete from sessions where id = ?').run(familyId).changes).toBe(1);
      db.close();
      expect((await api.get('/api/session')).statusCode).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('PostgreSQL (no cache): a DELETE from psql', async () => {
    const url = await databases.url('postgres');
    const t = await createTestApp({ DATABASE_URL: url });
    const other = await openDatabase(url);
    try {
      const api = new ApiClient(t.app);
      const familyId = await familyInUse(t, api);
      await other.db.deleteFrom('sessions').where('id', '=', familyId).execute();
      expect((await api.get('/api/session')).statusCode).toBe(401);
    } finally {
      await other.close();
      await t.close();
    }
  });

  it('Redis (in-process cache kept by client tracking): a DEL of the family record from redis-cli', async () => {
    const r = await redis();
    const t = await createTestApp(
      { DATABASE_URL: `sqlite:${join(dir.dir, 'redis.db')}`, REDIS_HEARTBEAT_MS: '100', ...r.env },
      { clock: new FakeClock(Date.now()) },
    );
    try {
      const api = new ApiClient(t.app);
      const familyId = await familyInUse(t, api);
      const tokenHash = await r.server!.cli('GET', `hd:sid:{${familyId}}`);
      expect(await r.server!.cli('DEL', sessionKey(tokenHash.trim()))).toMatch(/1/);
      // Both live in one process here: one round trip on the instance's own connection reads the push first.
      expect((await t.services.checkHealth()).ok).toBe(true);
      expect((await api.get('/api/session')).statusCode).toBe(401);
    } finally {
      await t.close();
    }
  });
});
