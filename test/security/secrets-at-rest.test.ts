import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { createTestApp, signedUpClient, type TestApp } from '../helpers/test-app.js';

describe('what a stolen database file yields', () => {
  let dir: string;
  let t: TestApp;

  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('neither refresh tokens nor the private signing key, only their hash and sealed form', async () => {
    dir = mkdtempSync(join(tmpdir(), 'heimdall-at-rest-'));
    t = await createTestApp({ DATABASE_URL: `sqlite:${join(dir, 'heimdall.db')}` });
    await signedUpClient(t.app, 'odin@asgard.example');
    const api = new ApiClient(t.app);
    await api.signIn('odin@asgard.example');
    await api.refresh();
    const stored = await t.services.keys.list();
    const { key } = t.services.keys.signingKey();
    expect(key.extractable).toBe(false);
    await t.close();

    // Every byte the database left on disk (main file and write-ahead log).
    const dump = readdirSync(dir)
      .map((file) => readFileSync(join(dir, file)).toString('latin1'))
      .join('');
    expect(dump).not.toContain(api.refreshToken);
    expect(dump).toContain(stored[0]!.sealedPrivateJwk!);
    expect(dump).not.toMatch(/"d"\s*:/);
  });
});
