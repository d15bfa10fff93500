import { chmodSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHeimdallProcess, tempDir } from '../helpers/heimdall-process.js';

const mode = (path: string) => statSync(path).mode & 0o777;

/**
 * The data directory holds the SQLite database (password hashes, sessions' digests) and the generated secret that
 * seals the signing keys: other local users must not read them (outside security review, issue 15, finding 5;
 * API.md "Data directory 0700, SQLite files and secrets 0600").
 */
describe('the data directory is 0700, the database and secret files 0600 (ASVS 13.3.2, 14.2.4)', () => {
  it('a zero-configuration start creates them so, whatever the umask', async () => {
    const dir = tempDir('heimdall-modes-');
    const umask = process.umask(0o022);
    const server = await startHeimdallProcess({ HEIMDALL_GEOIP: 'false' }, dir.dir).finally(() => process.umask(umask));
    try {
      const data = join(dir.dir, 'data');
      expect(mode(data).toString(8)).toBe('700');
      for (const file of ['secret', 'heimdall.db', 'heimdall.db-wal', 'heimdall.db-shm']) {
        expect(existsSync(join(data, file)), file).toBe(true);
        expect(mode(join(data, file)).toString(8), file).toBe('600');
      }
    } finally {
      await server.stop();
      dir.remove();
    }
  }, 60_000);

  it('a start over files that others can read tightens them and says so', async () => {
    const dir = tempDir('heimdall-modes-');
    try {
      const first = await startHeimdallProcess({ HEIMDALL_GEOIP: 'false' }, dir.dir);
      // One answered request: by then the process has its signal handlers, so the stop below is a clean one.
      expect((await fetch(`${first.url}/api/health`)).status).toBe(200);
      expect(await first.stop()).toBe(0);
      const data = join(dir.dir, 'data');
      // As an earlier version, or a careless copy, left them.
      chmodSync(data, 0o755);
      for (const file of ['secret', 'heimdall.db']) chmodSync(join(data, file), 0o644);
      const second = await startHeimdallProcess({ HEIMDALL_GEOIP: 'false' }, dir.dir);
      try {
        expect(mode(data).toString(8)).toBe('700');
        for (const file of ['secret', 'heimdall.db', 'heimdall.db-wal', 'heimdall.db-shm']) {
          expect(mode(join(data, file)).toString(8), file).toBe('600');
        }
        const warnings = second
          .output()
          .split('\n')
          .filter((line) => line.includes('other local users'));
        expect(warnings).toHaveLength(3);
        expect(warnings.join('\n')).toMatch(/"level":40/);
      } finally {
        await second.stop();
      }
    } finally {
      dir.remove();
    }
  }, 60_000);
});
