import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, tempDir } from '../helpers/heimdall-process.js';

const dir = tempDir('heimdall-cli-');
const env = {
  PATH: process.env.PATH ?? '',
  DATABASE_URL: `sqlite:${join(dir.dir, 'cli.db')}`,
  HEIMDALL_SECRET: 'c'.repeat(40),
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_ITERATIONS: '1',
};

function heimdall(args: string[], input = '') {
  const result = spawnSync(process.execPath, [CLI, ...args], { env, input, encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('heimdall CLI', () => {
  afterAll(() => dir.remove());

  it('migrate makes a new database only with --create, then brings it up to date and has nothing more to do', () => {
    const refused = heimdall(['migrate']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`found no database at ${join(dir.dir, 'cli.db')}`);
    const created = heimdall(['migrate', '--create']);
    expect(created.out).toContain(`Database: sqlite ${join(dir.dir, 'cli.db')}`);
    expect(created.out).toMatch(/Applied: 0001-initial/);
    expect(heimdall(['migrate']).out).toMatch(/up to date/);
  });

  it('user add reads the password from stdin and can make an admin', () => {
    const first = heimdall(['user', 'add', '--email', 'Borr@Asgard.example'], 'first long passphrase\n');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/Created borr@asgard\.example .* roles: admin/);
    const second = heimdall(
      ['user', 'add', '--email', 'odin@asgard.example', '--admin', '--name', 'Odin'],
      'second long passphrase\n',
    );
    expect(second.out).toMatch(/roles: user, admin|roles: admin/);
  });

  it('user add refuses a weak password or a taken email and exits non-zero', () => {
    const weak = heimdall(['user', 'add', '--email', 'thor@asgard.example'], 'password\n');
    expect(weak.code).toBe(1);
    expect(weak.err).toMatch(/too common/);
    const taken = heimdall(['user', 'add', '--email', 'ODIN@asgard.example'], 'another long passphrase\n');
    expect(taken.code).toBe(1);
    expect(taken.err).toMatch(/already exists/);
  });

  it('user roles replaces the roles; unknown users and bad role names are errors', () => {
    expect(heimdall(['user', 'roles', 'odin@asgard.example', 'god', 'admin']).out).toMatch(/now has roles: admin, god/);
    expect(heimdall(['user', 'roles', 'nobody@asgard.example', 'god']).code).toBe(1);
    expect(heimdall(['user', 'roles', 'odin@asgard.example', 'Bad Role']).code).toBe(1);
  });

  it('sessions revoke signs a user out everywhere', () => {
    const result = heimdall(['sessions', 'revoke', '--user', 'odin@asgard.example']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Signed odin@asgard\.example out everywhere/);
  });

  it('--version and -v print the package version and exit 0', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const result = heimdall([flag]);
      expect(result.code).toBe(0);
      expect(result.out).toBe(`${version}\n`);
    }
  });

  it('help, --help and no command print the usage and exit 0; an unknown command exits 2 naming it', () => {
    for (const args of [[], ['help'], ['--help'], ['-h'], ['user', 'add', '--help']]) {
      const result = heimdall(args);
      expect(result.code).toBe(0);
      expect(result.out).toMatch(/Usage:[\s\S]*heimdall user add/);
    }
    const unknown = heimdall(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command "frobnicate"[\s\S]*Usage:/);
  });
});
