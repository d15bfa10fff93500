import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { enrolTotp } from '../helpers/second-factors.js';
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

  it('neither the authenticator app’s secret nor any recovery code, only the sealed secret and keyed digests', async () => {
    dir = mkdtempSync(join(tmpdir(), 'heimdall-at-rest-'));
    t = await createTestApp({ DATABASE_URL: `sqlite:${join(dir, 'heimdall.db')}` });
    const owner = await signedUpClient(t.app, 'frigg@asgard.example');
    const { secret, recoveryCodes } = await enrolTotp(owner, t.clock);
    await t.close();

    const dump = readdirSync(dir)
      .map((file) => readFileSync(join(dir, file)).toString('latin1'))
      .join('');
    expect(dump).not.toContain(secret);
    // The secret's raw bytes are not there either (base32 decoded).
    const raw = Buffer.from(
      secret.match(/.{8}/g)!.flatMap((chunk) => {
        let bits = 0n;
        for (const c of chunk) bits = (bits << 5n) | BigInt('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(c));
        return [...Array(5)].map((_, i) => Number((bits >> BigInt(8 * (4 - i))) & 0xffn));
      }),
    ).toString('latin1');
    expect(dump).not.toContain(raw);
    for (const code of recoveryCodes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace(/-/g, ''));
    }
    expect(dump).toMatch(/v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}/);
  });
});
