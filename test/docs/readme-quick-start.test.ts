import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeimdallProcess, ROOT, startHeimdallProcess, tempDir } from '../helpers/heimdall-process.js';

/** The ```sh blocks of the README's "With curl" section, as a reader would paste them. */
function curlQuickStart(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### With curl'), readme.indexOf('### Protecting'));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  if (blocks.length < 2) throw new Error('the README\'s "With curl" section lost its shell blocks');
  return blocks.join('\n');
}

describe("the README's curl quick start, run verbatim against a real server", () => {
  const dir = tempDir('heimdall-readme-');
  let server: HeimdallProcess;

  beforeAll(async () => {
    server = await startHeimdallProcess({ HEIMDALL_GEOIP: 'false' }, dir.dir);
  });
  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it('registers, reads the CSRF token, is refused without it, signs out with it, then uses a Bearer token', () => {
    const script = curlQuickStart();
    expect(script).toContain('H=http://localhost:3000');
    const output = execFileSync(
      'bash',
      ['-euo', 'pipefail', '-c', script.replace('localhost:3000', `localhost:${server.port}`)],
      {
        cwd: dir.dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    const lines = output.split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ user: { email: 'odin@asgard.example', roles: ['admin'] } });
    expect(JSON.parse(lines[1]!)).toMatchObject({
      user: { email: 'odin@asgard.example' },
      csrfToken: expect.any(String),
    });
    expect(lines[2]).toMatch(/"code":"csrf_failed".*403$/);
    expect(lines[3]).toBe('204');
    expect(lines[4]).toMatch(/"code":"unauthenticated".*401$/);
    const devices = JSON.parse(lines[5]!) as { sessions: { kind: string }[] };
    expect(devices.sessions.map((s) => s.kind)).toContain('api');
  });
});
