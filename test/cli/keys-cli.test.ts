import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS, type CommandIo } from '../../src/cli/commands.js';
import { CLI } from '../helpers/heimdall-process.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

describe('heimdall keys', () => {
  let dir: string;
  let env: Record<string, string>;
  let lines: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'heimdall-cli-keys-'));
    env = {
      DATABASE_URL: `sqlite:${join(dir, 'heimdall.db')}`,
      HEIMDALL_DATA_DIR: dir,
      HEIMDALL_SECRET: 'cli-test-secret-cli-test-secret-cli-test',
      LOG_LEVEL: 'silent',
    };
    // A fresh installation: the database is made explicitly, as a command never makes one by itself.
    await run('migrate', '--create');
    lines = [];
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(...argv: string[]): Promise<string[]> {
    const command = COMMANDS.find((c) => c.path.every((word, i) => argv[i] === word))!;
    const io: CommandIo = { env, out: (line) => lines.push(line), note: () => {}, readPassword: async () => '' };
    lines = [];
    await command.run(argv.slice(command.path.length), io);
    return lines;
  }

  it('keys list shows the one active key of a fresh installation', async () => {
    const out = await run('keys', 'list');
    expect(out[0]).toMatch(/^kid\s+alg\s+state\s+created\s+retire after$/);
    expect(out).toHaveLength(2);
    expect(out[1]).toMatch(/\sEdDSA\s+active\s/);
  });

  it('keys rotate makes a new active key and leaves the old one verify-only with its retirement time', async () => {
    await run('keys', 'list');
    const out = await run('keys', 'rotate', '--alg', 'ES256');
    expect(out[0]).toMatch(/^Active signing key: \S+ \(ES256\); \S+ now verifies only, until retired\.$/);
    const table = await run('keys', 'list');
    expect(table.slice(1).map((row) => row.split(/\s+/).slice(1, 3))).toEqual([
      ['ES256', 'active'],
      ['EdDSA', 'verify-only'],
    ]);
    expect(table[2]).toMatch(/\d{4}-\d\d-\d\dT[\d:.]+Z$/);
  });

  it('keys rotate refuses an algorithm other than EdDSA or ES256', async () => {
    await expect(run('keys', 'rotate', '--alg', 'HS256')).rejects.toThrow(/EdDSA or ES256/);
  });

  it('works through the built binary, and exits 1 with a message for a bad --alg', () => {
    const heimdall = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
    const rotated = heimdall('keys', 'rotate');
    expect(rotated.status).toBe(0);
    expect(rotated.stdout).toMatch(/Active signing key: \S+ \(EdDSA\)/);
    expect(heimdall('keys', 'list').stdout.trim().split('\n')).toHaveLength(3);
    const bad = heimdall('keys', 'rotate', '--alg', 'none');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--alg takes EdDSA or ES256/);
  });

  it('a running server picks up a key rotated from the command line', async () => {
    const t: TestApp = await createTestApp(env);
    try {
      const before = t.services.keys.signingKey().kid;
      await run('keys', 'rotate');
      await t.services.keys.maintain();
      expect(t.services.keys.signingKey().kid).not.toBe(before);
      expect(t.services.keys.publicJwks()).toHaveLength(2);
      const audited = await t.services.audit.list({ type: 'key.rotated', limit: 10 });
      expect(audited.events.map((e) => e.details)).toEqual([
        { kid: t.services.keys.signingKey().kid, alg: 'EdDSA', replaced: before, by: 'cli' },
      ]);
    } finally {
      await t.close();
    }
  });
});
