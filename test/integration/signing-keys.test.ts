import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY_VERIFY_GRACE_MS, maintainKeys } from '../../src/app/build-token-services.js';
import { ApiClient, errorCode } from '../helpers/api-client.js';
import { createTestApp, signedUpClient, type TestApp } from '../helpers/test-app.js';

const ODIN = 'odin@asgard.example';

describe('signing keys over HTTP', () => {
  const apps: TestApp[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}): Promise<TestApp> {
    const t = await createTestApp(env);
    apps.push(t);
    return t;
  }

  async function signedInApi(t: TestApp): Promise<ApiClient> {
    await signedUpClient(t.app, ODIN);
    const api = new ApiClient(t.app);
    await api.signIn(ODIN);
    return api;
  }

  it('GET /.well-known/jwks.json publishes public keys only, cacheable, with kid, alg and use', async () => {
    const t = await start();
    const response = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=300, must-revalidate');
    const { keys } = response.json() as { keys: Record<string, string>[] };
    expect(keys).toEqual([
      {
        kty: 'OKP',
        crv: 'Ed25519',
        x: expect.any(String),
        kid: t.services.keys.signingKey().kid,
        alg: 'EdDSA',
        use: 'sig',
      },
    ]);
    const etag = response.headers.etag as string;
    const again = await t.app.inject({
      method: 'GET',
      url: '/.well-known/jwks.json',
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
  });

  it('rotation: tokens of the old key keep verifying, new tokens use the new key, both are published', async () => {
    const t = await start();
    const api = await signedInApi(t);
    const oldKid = decodeProtectedHeader(api.accessToken).kid;
    const active = await t.services.keys.rotate();
    expect(active.kid).not.toBe(oldKid);
    expect((await api.get('/api/session')).statusCode).toBe(200);
    await api.refresh();
    expect(decodeProtectedHeader(api.accessToken).kid).toBe(active.kid);
    const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([oldKid, active.kid].sort());
  });

  it('retirement: past its grace a replaced key verifies nothing, even a fresh token signed with it', async () => {
    const t = await start();
    const api = await signedInApi(t);
    const old = t.services.keys.signingKey();
    await t.services.keys.rotate();
    const signWithOld = () =>
      new SignJWT(decodeJwt(api.accessToken))
        .setProtectedHeader({ alg: old.alg, kid: old.kid, typ: 'at+jwt' })
        .setIssuedAt(Math.floor(t.clock.now() / 1000))
        .setExpirationTime(Math.floor(t.clock.now() / 1000) + 60)
        .sign(old.key);
    // Keep the family alive across the grace period (its tokens expire every 5 minutes).
    for (let elapsed = 0; elapsed < KEY_VERIFY_GRACE_MS - 600_000; elapsed += 240_000) {
      t.clock.advance(240_000);
      await api.refresh();
    }
    expect((await api.get('/api/session', await signWithOld())).statusCode).toBe(200);
    t.clock.advance(600_000);
    await api.refresh();
    const refused = await api.get('/api/session', await signWithOld());
    expect([refused.statusCode, errorCode(refused)]).toEqual([401, 'unauthenticated']);
    expect((await api.get('/api/session')).statusCode).toBe(200);

    await t.services.keys.maintain();
    const stored = (await t.services.keys.list()).find((k) => k.kid === old.kid)!;
    expect(stored).toMatchObject({ state: 'retired', sealedPrivateJwk: null });
    expect(t.services.keys.publicJwks().map((k) => k.kid)).not.toContain(old.kid);
  });

  it('rotates by itself when SIGNING_KEY_ROTATION_INTERVAL has passed', async () => {
    const t = await start({ SIGNING_KEY_ROTATION_INTERVAL: '30d' });
    const log = { info: () => {}, warn: () => {} };
    const first = t.services.keys.signingKey().kid;
    t.clock.advance(29 * 86_400_000);
    await maintainKeys(t.services.keys, t.services.audit, log);
    expect(t.services.keys.signingKey().kid).toBe(first);
    t.clock.advance(86_400_000);
    await maintainKeys(t.services.keys, t.services.audit, log);
    const second = t.services.keys.signingKey();
    expect(second.kid).not.toBe(first);
    const audited = await t.services.audit.list({ type: 'key.rotated', limit: 10 });
    expect(audited.events.map((e) => e.details)).toEqual([{ kid: second.kid, alg: 'EdDSA', by: 'schedule' }]);
  });

  it('signs with ES256 when SIGNING_KEY_ALGORITHM=ES256', async () => {
    const t = await start({ SIGNING_KEY_ALGORITHM: 'ES256' });
    const api = await signedInApi(t);
    expect(decodeProtectedHeader(api.accessToken).alg).toBe('ES256');
    expect((await api.get('/api/session')).statusCode).toBe(200);
  });

  it('another instance verifies tokens of a key rotated elsewhere, loading it on first sight of its kid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heimdall-keys-'));
    dirs.push(dir);
    const env = { DATABASE_URL: `sqlite:${join(dir, 'heimdall.db')}` };
    const first = await start(env);
    const second = await start(env);
    expect(second.services.keys.signingKey().kid).toBe(first.services.keys.signingKey().kid);
    await first.services.keys.rotate();
    const api = await signedInApi(first);
    expect((await second.app.inject({ method: 'GET', url: '/api/session', headers: bearer(api) })).statusCode).toBe(
      200,
    );
  });

  it('a JWKS consumer (jose createRemoteJWKSet, over a real socket) verifies our access tokens', async () => {
    const t = await start();
    const api = await signedInApi(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const jwks = createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`), {
      cooldownDuration: 0,
    });
    const options = {
      issuer: t.config.publicUrl,
      audience: 'api',
      typ: 'at+jwt',
      currentDate: new Date(t.clock.now()),
    };
    const { payload } = await jwtVerify(api.accessToken, jwks, options);
    expect(payload.sub).toBe((await t.services.users.findByEmail(ODIN))!.id);
    // After a rotation the consumer meets an unknown kid, refetches, and verifies the new key's tokens too.
    await t.services.keys.rotate('ES256');
    await api.refresh();
    await expect(jwtVerify(api.accessToken, jwks, options)).resolves.toMatchObject({
      protectedHeader: { alg: 'ES256' },
    });
  });
});

function bearer(api: ApiClient): Record<string, string> {
  return { authorization: `Bearer ${api.accessToken}` };
}
