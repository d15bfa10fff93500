import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHeimdallProcess, tempDir } from '../helpers/heimdall-process.js';

describe('start-up on the embedded default', () => {
  it('with no settings, creates the SQLite database and a private secret, and logs one line saying where it listens', async () => {
    const dir = tempDir();
    const server = await startHeimdallProcess({}, dir.dir);
    try {
      expect(existsSync(join(dir.dir, 'data/heimdall.db'))).toBe(true);
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

  it('refuses bad configuration with one line per problem naming the variable', async () => {
    const dir = tempDir();
    await expect(startHeimdallProcess({ PORT: 'http', SESSION_IDLE_TIMEOUT: 'soon' }, dir.dir)).rejects.toThrow(
      /PORT="http" is not valid[\s\S]*SESSION_IDLE_TIMEOUT="soon" is not valid/,
    );
    dir.remove();
  });
});
