import { base64url, decodeJwt, exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, errorCode } from '../helpers/api-client.js';
import { createTestApp, signedUpClient, type TestApp, type TestClient } from '../helpers/test-app.js';

const ODIN = 'odin@asgard.example';
const LOKI = 'loki@asgard.example';

function encodeSegment(value: object): string {
  return base64url.encode(JSON.stringify(value));
}

/** Every attack below is performed against GET /api/session with `Authorization: Bearer`. */
describe('attacks on access tokens', () => {
  let t: TestApp;
  let odin: TestClient;
  let api: ApiClient;
  let claims: JWTPayload;
  let kid: string;

  beforeEach(async () => {
    t = await createTestApp();
    odin = await signedUpClient(t.app, ODIN);
    await signedUpClient(t.app, LOKI);
    api = new ApiClient(t.app);
    await api.signIn(LOKI);
    claims = decodeJwt(api.accessToken);
    kid = t.services.keys.signingKey().kid;
  });

  afterEach(async () => {
    await t.close();
  });

  async function expectRefused(token: string, code = 'unauthenticated'): Promise<void> {
    const response = await api.get('/api/session', token);
    expect(response.statusCode).toBe(401);
    expect(errorCode(response)).toBe(code);
  }

  /** Signs with Heimdall's own active key: what an attacker could only do with a bug, or a stolen key. */
  function signWithOurKey(header: Record<string, unknown>, payload: JWTPayload): Promise<string> {
    const { alg, key } = t.services.keys.signingKey();
    return new SignJWT(payload).setProtectedHeader({ alg, kid, typ: 'at+jwt', ...header }).sign(key);
  }

  it('the genuine token is accepted (control)', async () => {
    expect((await api.get('/api/session')).statusCode).toBe(200);
  });

  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg "%s", with or without a signature', async (alg) => {
    const unsigned = `${encodeSegment({ alg, kid, typ: 'at+jwt' })}.${encodeSegment(claims)}`;
    await expectRefused(`${unsigned}.`);
    await expectRefused(`${unsigned}.${api.accessToken.split('.')[2]}`);
  });

  it('refuses HS256 signed with the public key as the HMAC secret, in every encoding', async () => {
    const publicJwk = t.services.keys.publicJwks()[0]!;
    const { key } = (await t.services.keys.verificationKey(kid))!;
    const secrets = [
      new TextEncoder().encode(JSON.stringify(publicJwk)),
      base64url.decode(publicJwk.x!),
      new TextEncoder().encode(await exportSPKI(key)),
    ];
    for (const secret of secrets) {
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' }).sign(secret);
      await expectRefused(forged);
    }
  });

  it('refuses a token signed by a key of the attacker, under an unknown kid or under ours', async () => {
    const attacker = await generateKeyPair('EdDSA');
    for (const header of [{ kid: 'attacker-key' }, { kid }, {}]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', ...header })
        .sign(attacker.privateKey);
      await expectRefused(forged);
    }
  });

  it('never takes the key from the token: jwk, jku, x5u and x5c headers are refused outright', async () => {
    const attacker = await generateKeyPair('EdDSA', { extractable: true });
    const embedded = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', jwk: await exportJWK(attacker.publicKey) })
      .sign(attacker.privateKey);
    await expectRefused(embedded);
    // Even signed by our own key, a token naming another key source is not ours to accept.
    for (const header of [
      { jku: 'https://attacker.example/jwks.json' },
      { x5u: 'https://attacker.example/cert.pem' },
      { x5c: ['MIIB'] },
    ]) {
      await expectRefused(await signWithOurKey(header, claims));
    }
  });

  it('refuses a tampered payload (sub changed to another user)', async () => {
    const [header, , signature] = api.accessToken.split('.');
    const odinId = (await t.services.users.findByEmail(ODIN))!.id;
    await expectRefused(`${header}.${encodeSegment({ ...claims, sub: odinId })}.${signature}`);
    await expectRefused(`${header}.${encodeSegment({ ...claims, roles: ['admin'] })}.${signature}`);
  });

  it('refuses a stripped or truncated signature', async () => {
    const [header, payload, signature] = api.accessToken.split('.');
    await expectRefused(`${header}.${payload}.`);
    await expectRefused(`${header}.${payload}`);
    await expectRefused(`${header}.${payload}.${signature!.slice(0, -4)}`);
  });

  it('a token already accepted (and so remembered) is no shortcut for its tampered copies', async () => {
    expect((await api.get('/api/session')).statusCode).toBe(200);
    const [header, payload, signature] = api.accessToken.split('.');
    const odinId = (await t.services.users.findByEmail(ODIN))!.id;
    await expectRefused(`${header}.${encodeSegment({ ...claims, sub: odinId })}.${signature}`);
    await expectRefused(`${header}.${payload}.${signature!.slice(0, -1)}`);
    await expectRefused(`${api.accessToken}A`);
    expect((await api.get('/api/session')).statusCode).toBe(200);
  });

  it('refuses an expired token with token_expired, after at most 5 s of clock tolerance', async () => {
    t.clock.advance(300_000 + 4_000);
    expect((await api.get('/api/session')).statusCode).toBe(200);
    t.clock.advance(2_000);
    await expectRefused(api.accessToken, 'token_expired');
  });

  it('refuses a token that is not yet valid (nbf in the future beyond 5 s), or issued in the future', async () => {
    const now = Math.floor(t.clock.now() / 1000);
    await expectRefused(await signWithOurKey({}, { ...claims, nbf: now + 60 }));
    expect((await api.get('/api/session', await signWithOurKey({}, { ...claims, nbf: now + 4 }))).statusCode).toBe(200);
    await expectRefused(await signWithOurKey({}, { ...claims, iat: now + 60, exp: now + 300 }));
  });

  it('refuses a token without exp, and stops one claiming a long life once it is 15 minutes old', async () => {
    const { exp: _exp, ...withoutExp } = claims;
    await expectRefused(await signWithOurKey({}, withoutExp));
    const longLived = await signWithOurKey({}, { ...claims, exp: (claims.iat as number) + 365 * 86_400 });
    expect((await api.get('/api/session', longLived)).statusCode).toBe(200);
    t.clock.advance(15 * 60_000 + 6_000);
    await expectRefused(longLived, 'token_expired');
  });

  it('refuses the wrong audience, issuer or typ, even signed by our key', async () => {
    await expectRefused(await signWithOurKey({}, { ...claims, aud: 'download' }));
    await expectRefused(await signWithOurKey({}, { ...claims, aud: ['download', 'somewhere-else'] }));
    await expectRefused(await signWithOurKey({}, { ...claims, iss: 'https://evil.example' }));
    await expectRefused(await signWithOurKey({ typ: 'JWT' }, claims));
    await expectRefused(await signWithOurKey({ typ: 'download+jwt' }, claims));
    const { alg, key } = t.services.keys.signingKey();
    await expectRefused(await new SignJWT(claims).setProtectedHeader({ alg, kid }).sign(key));
  });

  it('refuses a token whose alg is not the one its kid’s key was made for', async () => {
    const edKid = kid;
    const es = await t.services.keys.rotate('ES256');
    const confused = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: edKid, typ: 'at+jwt' })
      .sign(es.key);
    await expectRefused(confused);
  });

  it('refuses a download token used as an access token, and an access token used as a download link', async () => {
    await odin.request({ method: 'POST', url: '/api/products/mead-recipes/purchase' });
    const link = (await odin.request({ method: 'POST', url: '/api/downloads/mead-recipes/link' })).json() as {
      url: string;
    };
    const downloadToken = new URL(link.url, 'http://x').searchParams.get('token')!;
    await expectRefused(downloadToken);
    const odinApi = new ApiClient(t.app);
    await odinApi.signIn(ODIN);
    const asLink = await t.app.inject({ method: 'GET', url: `/downloads/mead-recipes?token=${odinApi.accessToken}` });
    expect(asLink.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: link.url })).statusCode).toBe(200);
  });

  it('refuses a refresh token, a cookie secret or junk where an access token belongs', async () => {
    await expectRefused(api.refreshToken);
    await expectRefused(odin.cookie!);
    await expectRefused('x'.repeat(10_000));
    await expectRefused('a.b.c');
  });
});
