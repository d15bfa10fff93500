import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findFreePort } from '../helpers/free-port.js';
import { CLI, startHeimdallProcess, tempDir } from '../helpers/heimdall-process.js';

describe('start-up on the embedded default', () => {
  it('with no settings, creates the SQLite database and a private secret, and logs one line saying where it listens', async () => {
    const dir = tempDir();
    const server = await startHeimdallProcess({}, dir.dir);
    try {
      expect(existsSync(join(dir.dir, 'data/heimdall.db'))).toBe(true);
      // The data directory holds the secret and the password hashes: private to the server's user.
      expect(statSync(join(dir.dir, 'data')).mode & 0o777).toBe(0o700);
      const secretPath = join(dir.dir, 'data/secret');
      expect(readFileSync(secretPath, 'utf8').trim()).toMatch(/^[\w-]{43}$/);
      expect(statSync(secretPath).mode & 0o777).toBe(0o600);
      const listening = server
        .output()
        .split('\n')
        .filter((l) => l.includes('Heimdall listening'));
      expect(listening).toHaveLength(1);
      expect(listening[0]).toMatch(/users in sqlite .*heimdall\.db, sessions in sqlite/);
      expect(server.output()).toMatch(/HEIMDALL_SECRET is not set/);
      expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // A second start reuses the secret and the schema, and warns no more.
    const again = await startHeimdallProcess({}, dir.dir);
    try {
      expect(again.output()).not.toMatch(/HEIMDALL_SECRET is not set/);
    } finally {
      await again.stop();
      dir.remove();
    }
  });

  it('warns of a misspelt variable in its start-up log, naming the nearest one it reads', async () => {
    const dir = tempDir();
    const server = await startHeimdallProcess({ HEIMDAL_SECRET: 'x'.repeat(40), SESION_IDLE_TIMEOUT: '5m' }, dir.dir);
    try {
      const warnings = server
        .output()
        .split('\n')
        .filter((line) => line.includes('reads no such variable'))
        .map((line) => JSON.parse(line) as { level: number; msg: string });
      expect(warnings.map((w) => w.level)).toEqual([40, 40]);
      expect(warnings[0]!.msg).toMatch(/^HEIMDAL_SECRET is set .* did you mean HEIMDALL_SECRET\?/);
      expect(warnings[1]!.msg).toMatch(/^SESION_IDLE_TIMEOUT is set .* did you mean SESSION_IDLE_TIMEOUT\?/);
    } finally {
      await server.stop();
      dir.remove();
    }
  });

  it('refuses a SQLite path whose directory does not exist, and creates no directory', async () => {
    const dir = tempDir();
    const missing = join(dir.dir, 'no', 'such', 'dir');
    await expect(
      startHeimdallProcess({ DATABASE_URL: `sqlite:${missing}/heimdall.db`, HEIMDALL_SECRET: 'x'.repeat(40) }, dir.dir),
    ).rejects.toThrow(
      `heimdall: DATABASE_URL: the directory ${missing} does not exist (for the database ${missing}/heimdall.db).`,
    );
    expect(existsSync(join(dir.dir, 'no'))).toBe(false);
    dir.remove();
  });

  it('with PostgreSQL down, says so with the cause (ECONNREFUSED) and without the password', async () => {
    const dir = tempDir();
    const port = await findFreePort(); // nothing listens there
    const url = `postgres://heimdall:hunter2-password@127.0.0.1:${port}/heimdall`;
    const failure = await startHeimdallProcess({ DATABASE_URL: url, HEIMDALL_SECRET: 'x'.repeat(40) }, dir.dir).catch(
      (error: Error) => error.message,
    );
    expect(failure).toContain(
      `heimdall: could not open the database postgres 127.0.0.1:${port}/heimdall: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(failure).not.toMatch(/Migration unknown|hunter2/);
    const cli = spawnSync(process.execPath, [CLI, 'keys', 'list'], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, HEIMDALL_SECRET: 'x'.repeat(40) },
      encoding: 'utf8',
    });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(`connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(cli.stderr).not.toContain('hunter2');
    dir.remove();
  });

  it('refuses bad configuration with one line per problem naming the variable', async () => {
    const dir = tempDir();
    await expect(startHeimdallProcess({ PORT: 'http', SESSION_IDLE_TIMEOUT: 'soon' }, dir.dir)).rejects.toThrow(
      /PORT="http" is not valid[\s\S]*SESSION_IDLE_TIMEOUT="soon" is not valid/,
    );
    dir.remove();
  });
});
