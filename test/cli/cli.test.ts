import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import { CLI, ROOT, tempDir } from '../helpers/heimdall-process.js';
import { createTestApp } from '../helpers/test-app.js';

const dir = tempDir('heimdall-cli-');
const env = {
  PATH: process.env.PATH ?? '',
  DATABASE_URL: `sqlite:${join(dir.dir, 'cli.db')}`,
  HEIMDALL_SECRET: 'c'.repeat(40),
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_ITERATIONS: '1',
};

function heimdall(args: string[], input = '', extra: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { env: { ...env, ...extra }, input, encoding: 'utf8' });
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

  it('says which database and stores it opened, on stderr, with no password in it', () => {
    const result = heimdall(['user', 'roles', 'odin@asgard.example', 'god', 'admin']);
    expect(result.code).toBe(0);
    expect(result.err).toBe(
      `heimdall: opened users in sqlite ${join(dir.dir, 'cli.db')}, sessions in sqlite (in-process cache checked against PRAGMA data_version)\n`,
    );
  });

  it('warns of a misspelt variable at start, naming the nearest one it reads', () => {
    const result = heimdall(['keys', 'list'], '', { SESION_IDLE_TIMEOUT: '5m', HEIMDALL_SECRETS: 'x' });
    expect(result.code).toBe(0);
    expect(result.err).toMatch(
      /heimdall: warning: HEIMDALL_SECRETS is set but Heimdall reads no such variable: did you mean HEIMDALL_SECRET\?/,
    );
    expect(result.err).toMatch(/heimdall: warning: SESION_IDLE_TIMEOUT is set .* did you mean SESSION_IDLE_TIMEOUT\?/);
  });

  it('run from another directory, says it found no database there and creates neither a database nor a secret', () => {
    const elsewhere = tempDir('heimdall-cli-elsewhere-');
    try {
      const run = (args: string[]) =>
        spawnSync(process.execPath, [CLI, ...args], {
          cwd: elsewhere.dir,
          env: { PATH: env.PATH, ARGON2_MEMORY_KIB: '1024', ARGON2_ITERATIONS: '1' },
          input: 'a long enough passphrase\n',
          encoding: 'utf8',
        });
      for (const args of [
        ['user', 'add', '--email', 'odin@asgard.example'],
        ['sessions', 'revoke', '--user', 'x@y.z'],
        ['migrate'],
      ]) {
        const result = run(args);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain(
          `found no database at ${join(elsewhere.dir, 'data', 'heimdall.db')} (DATABASE_URL=sqlite:./data/heimdall.db, from ${elsewhere.dir})`,
        );
        expect(result.stderr).toContain('`heimdall migrate --create` makes a new one');
      }
      expect(readdirSync(elsewhere.dir)).toEqual([]);
    } finally {
      elsewhere.remove();
    }
  });

  it('needs the secret of the deployment it joins, and never makes one', () => {
    const result = heimdall(['keys', 'list'], '', { HEIMDALL_SECRET: '', HEIMDALL_DATA_DIR: join(dir.dir, 'nowhere') });
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      `HEIMDALL_SECRET is not set and there is no secret at ${join(dir.dir, 'nowhere', 'secret')}`,
    );
    expect(existsSync(join(dir.dir, 'nowhere'))).toBe(false);
  });

  it('sessions revoke signs a user out everywhere', () => {
    const result = heimdall(['sessions', 'revoke', '--user', 'odin@asgard.example']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Signed odin@asgard\.example out everywhere/);
  });

  it('user reset-link prints a single-use set-password link, and refuses an unknown user', async () => {
    const result = heimdall(['user', 'reset-link', 'ODIN@asgard.example']);
    expect(result.code).toBe(0);
    const [link, note] = result.out.trim().split('\n');
    expect(link).toMatch(/^http:\/\/localhost:3000\/reset-password\?token=[A-Za-z0-9_-]{43}$/);
    expect(note).toMatch(/^Single use, valid until \d{4}-\d\d-\d\dT.*odin@asgard\.example/);
    // The running server accepts it once, as it would a link it mailed.
    const server = await createTestApp(
      { DATABASE_URL: env.DATABASE_URL, HEIMDALL_SECRET: env.HEIMDALL_SECRET },
      { clock: new FakeClock(Date.now()) },
    );
    try {
      const token = new URL(link!).searchParams.get('token');
      const reset = () =>
        server.app.inject({
          method: 'POST',
          url: '/api/auth/password/reset',
          payload: { token, password: 'a passphrase from the operator' },
        });
      expect((await reset()).statusCode).toBe(204);
      expect((await reset()).statusCode).toBe(400);
    } finally {
      await server.close();
    }
    const unknown = heimdall(['user', 'reset-link', 'nobody@asgard.example']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/No user with email/);
    expect(heimdall(['user', 'reset-link']).code).toBe(1);
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
