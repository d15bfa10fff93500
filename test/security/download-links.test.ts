import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, type TestClient } from '../helpers/test-app.js';
import { errorCode } from './attack-helpers.js';

const FREYA = 'freya@asgard.example';

interface Link {
  url: string;
  expiresAt: string;
}

/**
 * Download links are bearer credentials that work without a session, so they must not outlive what the user did to
 * end their sessions, nor the credential that minted them (outside security review, issue 15, finding 5).
 */
describe('download links die with the session version and never outlive their minter (ASVS 7.4.1, 9.2.1)', () => {
  let t: TestApp;
  let admin: TestClient;
  let freya: TestClient;

  beforeEach(async () => {
    t = await createTestApp();
    admin = await signedUpClient(t.app, 'odin@asgard.example');
    freya = await signedUpClient(t.app, FREYA);
    expect((await freya.request({ method: 'POST', url: '/api/products/mead-recipes/purchase' })).statusCode).toBe(201);
  });

  afterEach(async () => {
    await t.close();
  });

  async function linkFor(client: TestClient, body: object = { ttlSeconds: 7200 }): Promise<Link> {
    const response = await client.request({ method: 'POST', url: '/api/downloads/mead-recipes/link', payload: body });
    expect(response.statusCode).toBe(200);
    return response.json() as Link;
  }

  const download = (link: Link) => t.app.inject({ method: 'GET', url: link.url });

  it('sign-out everywhere makes every earlier link answer 401; a link minted after it works', async () => {
    const before = await linkFor(freya);
    expect((await download(before)).statusCode).toBe(200);
    expect((await freya.request({ method: 'POST', url: '/api/auth/logout-everywhere' })).statusCode).toBe(204);
    const refused = await download(before);
    expect(refused.statusCode).toBe(401);
    expect(errorCode(refused)).toBe('unauthenticated');
    await freya.login(FREYA);
    expect((await download(await linkFor(freya))).statusCode).toBe(200);
  });

  it('a password change makes every earlier link answer 401, the new session mints working ones', async () => {
    const before = await linkFor(freya);
    const changed = await freya.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' },
    });
    expect(changed.statusCode).toBe(200);
    expect((await download(before)).statusCode).toBe(401);
    expect((await download(await linkFor(freya))).statusCode).toBe(200);
  });

  it("an administrator's revocation of every session makes earlier links answer 401", async () => {
    const before = await linkFor(freya);
    const userId = (await freya.get('/api/session')).json().user.id as string;
    const revoked = await admin.request({ method: 'DELETE', url: `/api/admin/users/${userId}/sessions` });
    expect(revoked.statusCode).toBe(200);
    expect((await download(before)).statusCode).toBe(401);
  });

  it('a genuine download token without the session-version claim (minted before this rule) is refused', async () => {
    const link = await linkFor(freya);
    expect(decodeJwt(new URL(link.url, 'http://x').searchParams.get('token')!)).toHaveProperty('sv');
    const userId = (await freya.get('/api/session')).json().user.id as string;
    const old = await t.services.jwt.sign('download', userId, { pid: 'mead-recipes' }, 600);
    const refused = await t.app.inject({ method: 'GET', url: `/downloads/mead-recipes?token=${old.token}` });
    expect([refused.statusCode, errorCode(refused)]).toEqual([401, 'unauthenticated']);
  });

  it('a 5-minute Bearer access token cannot mint a 2-hour link: the link dies with the token', async () => {
    const api = new ApiClient(t.app);
    expect((await api.signIn(FREYA)).statusCode).toBe(200);
    const accessExpiresAt = (decodeJwt(api.accessToken).exp as number) * 1000;
    const response = await api.request({
      method: 'POST',
      url: '/api/downloads/mead-recipes/link',
      payload: { ttlSeconds: 7200 },
    });
    expect(response.statusCode).toBe(200);
    const link = response.json() as Link;
    expect(Date.parse(link.expiresAt)).toBeLessThanOrEqual(accessExpiresAt);
    expect(Date.parse(link.expiresAt)).toBeGreaterThan(t.clock.now());
    expect((await download(link)).statusCode).toBe(200);
    // Past the access token's expiry (and the 5 s tolerance), the link is as dead as the token.
    t.clock.advance(accessExpiresAt - t.clock.now() + 6_000);
    const expired = await download(link);
    expect([expired.statusCode, errorCode(expired)]).toEqual([401, 'token_expired']);
  });

  it("a cookie session's link never outlives the session's absolute expiry", async () => {
    // 12 h absolute: after 11 h 30 min of activity, half an hour is left, whatever the link asks for.
    for (let i = 0; i < 23; i++) {
      t.clock.advance(30 * 60_000 - 1_000);
      expect((await freya.get('/api/session')).statusCode).toBe(200);
    }
    const session = (await freya.get('/api/session')).json().session as { expiresAt: string };
    const link = await linkFor(freya);
    expect(Date.parse(link.expiresAt)).toBeLessThanOrEqual(Date.parse(session.expiresAt));
    expect(Date.parse(link.expiresAt)).toBeGreaterThan(t.clock.now());
  });
});
