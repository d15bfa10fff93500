import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedHeimdall } from '../../src/app/embedded-heimdall.js';
import { CLI, type HeimdallProcess, startHeimdallProcess, tempDir } from '../helpers/heimdall-process.js';
import { CookieClient } from '../helpers/https-client.js';
import { RedisServer } from '../helpers/redis-server.js';

const SECRET = 'wrong-stores-secret-wrong-stores-secret-0123';
const PASSWORD = 'correct horse battery staple';

/**
 * Issue 15, finding 4: the CLI run without REDIS_URL against a Redis deployment deleted 0 sessions, hid its version
 * bump behind the Redis copy of the user, and reported success — the operator believed a user signed out who was
 * not. The server records where its sessions live; a command whose own settings would open other stores refuses,
 * naming both, and changes nothing.
 */
describe("the CLI refuses to run against stores other than the server's (real Redis)", () => {
  const dir = tempDir('heimdall-wrong-stores-');
  const database = `sqlite:${join(dir.dir, 'heimdall.db')}`;
  let redis: RedisServer;
  let other: RedisServer;
  let server: HeimdallProcess;
  let odin: CookieClient;

  const cli = (env: Record<string, string>, ...args: string[]) =>
    spawnSync(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database, HEIMDALL_SECRET: SECRET, ...env },
      encoding: 'utf8',
    });

  beforeAll(async () => {
    [redis, other] = await Promise.all([RedisServer.start(), RedisServer.start()]);
    server = await startHeimdallProcess(
      { DATABASE_URL: database, HEIMDALL_SECRET: SECRET, REDIS_URL: redis.url, HEIMDALL_GEOIP: 'false' },
      dir.dir,
    );
    const admin = new CookieClient(server.url);
    await admin.request('/api/auth/register', {
      method: 'POST',
      body: { email: 'borr@asgard.example', password: PASSWORD },
    });
    odin = new CookieClient(server.url);
    await odin.request('/api/auth/register', {
      method: 'POST',
      body: { email: 'odin@asgard.example', password: PASSWORD },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await Promise.all([redis?.stop(), other?.stop()]);
    dir.remove();
  });

  it('without REDIS_URL: refuses to sign a user out (it would delete 0 sessions and report success)', async () => {
    const run = cli({}, 'sessions', 'revoke', '--user', 'odin@asgard.example');
    expect(run.stdout).not.toMatch(/Signed .* out everywhere/);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`the Heimdall server keeps sessions in redis 127.0.0.1:${redis.port}`);
    expect(run.stderr).toContain('this command would keep them in sql');
    // Nothing was done behind the operator's back: the session is exactly as it was.
    expect((await odin.request('/api/session')).status).toBe(200);
  });

  it('without REDIS_URL: refuses to change roles (the change would hide behind the Redis copy of the user)', async () => {
    const run = cli({}, 'user', 'roles', 'odin@asgard.example', 'god');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`the Heimdall server keeps sessions in redis 127.0.0.1:${redis.port}`);
    expect((await odin.request('/api/session')).json<{ user: { roles: string[] } }>().user.roles).toEqual(['user']);
  });

  it('with another Redis: refuses, naming both', () => {
    const run = cli({ REDIS_URL: other.url }, 'sessions', 'revoke', '--user', 'odin@asgard.example');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`the Heimdall server keeps sessions in redis 127.0.0.1:${redis.port}`);
    expect(run.stderr).toContain(`this command would keep them in redis 127.0.0.1:${other.port}`);
  });

  it('an embedding app without the Redis refuses to start too, naming both', async () => {
    const start = openEmbeddedHeimdall({ env: {}, databaseUrl: database, secret: SECRET });
    await expect(start).rejects.toThrow(
      `heimdall-auth: the Heimdall server keeps sessions in redis 127.0.0.1:${redis.port}`,
    );
    await expect(start).rejects.toThrow('this app would keep them in sql');
    const embedded = await openEmbeddedHeimdall({
      env: {},
      databaseUrl: database,
      secret: SECRET,
      redisUrl: redis.url,
    });
    await embedded.close();
  });

  it("with the server's Redis: signs the user out everywhere, and the server refuses the session at once", async () => {
    const run = cli({ REDIS_URL: redis.url }, 'sessions', 'revoke', '--user', 'odin@asgard.example');
    expect(run.stderr).toContain(`sessions in redis 127.0.0.1:${redis.port}`);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Signed odin@asgard\.example out everywhere \(1 stored session deleted\)/);
    expect((await odin.request('/api/session')).status).toBe(401);
  });
});
