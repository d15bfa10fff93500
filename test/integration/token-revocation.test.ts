import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, errorCode, type TokenPairBody } from '../helpers/api-client.js';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, type TestClient } from '../helpers/test-app.js';

const ODIN = 'odin@asgard.example';
const THOR = 'thor@asgard.example';
const NEW_PASSWORD = 'a brand new passphrase for thor';

/** Asserts that the API client's family is dead: access token refused now, refresh token refused too. */
async function expectFamilyDead(api: ApiClient): Promise<void> {
  expect((await api.get('/api/session')).statusCode).toBe(401);
  expect(errorCode(await api.refresh())).toBe('unauthenticated');
}

describe('revoking a token family reaches its access tokens at once', () => {
  let t: TestApp;
  let odin: TestClient;
  let thor: TestClient;
  let api: ApiClient;

  beforeEach(async () => {
    t = await createTestApp();
    odin = await signedUpClient(t.app, ODIN);
    thor = await signedUpClient(t.app, THOR);
    api = new ApiClient(t.app);
    await api.signIn(THOR);
    expect((await api.get('/api/session')).statusCode).toBe(200);
  });

  afterEach(async () => {
    await t.close();
  });

  it('POST /api/tokens/revoke ends the family: 204, and its access token is refused on the next request', async () => {
    const response = await api.revoke();
    expect(response.statusCode).toBe(204);
    await expectFamilyDead(api);
  });

  it('POST /api/tokens/revoke answers 204 for unknown tokens too (RFC 7009)', async () => {
    expect((await api.revoke('B'.repeat(43))).statusCode).toBe(204);
    expect((await api.get('/api/session')).statusCode).toBe(200);
  });

  it('DELETE /api/sessions/:id of the family from a cookie session ends it', async () => {
    const sid = decodeJwt(api.accessToken).sid as string;
    expect((await thor.request({ method: 'DELETE', url: `/api/sessions/${sid}` })).statusCode).toBe(204);
    await expectFamilyDead(api);
  });

  it('revoke-others from a cookie session ends the family and keeps the cookie session', async () => {
    expect((await thor.request({ method: 'POST', url: '/api/sessions/revoke-others' })).json()).toEqual({
      revoked: 1,
    });
    await expectFamilyDead(api);
    expect((await thor.get('/api/session')).statusCode).toBe(200);
  });

  it('sign-out everywhere ends the family', async () => {
    expect((await thor.request({ method: 'POST', url: '/api/auth/logout-everywhere' })).statusCode).toBe(204);
    await expectFamilyDead(api);
  });

  it('a password change ends the family', async () => {
    const response = await thor.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    await expectFamilyDead(api);
  });

  it('a password change made with Bearer rotates the family and hands over a new pair', async () => {
    const oldAccess = api.accessToken;
    const response = await api.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as { session: { kind: string }; csrfToken: null; tokens: TokenPairBody };
    expect(body).toMatchObject({ session: { kind: 'api' }, csrfToken: null });
    expect(response.headers['set-cookie']).toBeUndefined();
    expect((await api.get('/api/session', oldAccess)).statusCode).toBe(401);
    expect((await thor.get('/api/session')).statusCode).toBe(401);
    api.keep(body.tokens);
    expect((await api.get('/api/session')).statusCode).toBe(200);
    expect((await api.refresh()).statusCode).toBe(200);
  });

  it('POST /api/auth/logout with Bearer ends the family', async () => {
    expect((await api.request({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
    await expectFamilyDead(api);
  });

  it('an administrator ending one session, or all of a user’s, ends the family', async () => {
    const thorId = (await t.services.users.findByEmail(THOR))!.id;
    const sid = decodeJwt(api.accessToken).sid as string;
    expect((await odin.request({ method: 'DELETE', url: `/api/admin/sessions/${sid}` })).statusCode).toBe(204);
    await expectFamilyDead(api);

    const second = new ApiClient(t.app);
    await second.signIn(THOR);
    const all = await odin.request({ method: 'DELETE', url: `/api/admin/users/${thorId}/sessions` });
    expect(all.statusCode).toBe(200);
    await expectFamilyDead(second);
  });

  it('keeps a revoked family denied until its access tokens have expired, then forgets it', async () => {
    const sid = decodeJwt(api.accessToken).sid as string;
    await api.revoke();
    expect(t.services.denyList.isDenied(sid)).toBe(true);
    t.clock.advance(15 * 60_000);
    expect(t.services.denyList.isDenied(sid)).toBe(true);
    t.clock.advance(70_000);
    expect(t.services.denyList.isDenied(sid)).toBe(false);
    // By then the access token is long expired, so forgetting the family admits nothing.
    expect(errorCode(await api.get('/api/session'))).toBe('token_expired');
  });
});

describe('a revocation on one instance reaches another', () => {
  let dir: string;
  let first: TestApp;
  let second: TestApp;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'heimdall-deny-'));
    const env = { DATABASE_URL: `sqlite:${join(dir, 'heimdall.db')}` };
    first = await createTestApp(env);
    second = await createTestApp(env);
  });

  afterEach(async () => {
    await first.close();
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('at once through the shared store, and onto the deny list of the other instance on its next sync', async () => {
    await signedUpClient(first.app, ODIN);
    const onFirst = new ApiClient(first.app);
    await onFirst.signIn(ODIN);
    const sid = decodeJwt(onFirst.accessToken).sid as string;
    const onSecond = new ApiClient(second.app);
    onSecond.accessToken = onFirst.accessToken;
    // The second instance has the family in its cache and accepts the token.
    expect((await onSecond.get('/api/session')).statusCode).toBe(200);
    await onFirst.revoke();
    expect((await onFirst.get('/api/session')).statusCode).toBe(401);
    // Its cache is kept by the store's coherence (PRAGMA data_version here), so the deleted family is gone at once;
    // the deny list, merged every TOKEN_REVOCATION_SYNC_INTERVAL, is the backstop.
    expect((await onSecond.get('/api/session')).statusCode).toBe(401);
    expect(second.services.denyList.isDenied(sid)).toBe(false);
    await second.services.denyList.sync();
    expect(second.services.denyList.isDenied(sid)).toBe(true);
  });

  it('through the user record for sign-out everywhere, with no sync at all', async () => {
    const odin = await signedUpClient(first.app, ODIN);
    const onFirst = new ApiClient(first.app);
    await onFirst.signIn(ODIN);
    const onSecond = new ApiClient(second.app);
    onSecond.accessToken = onFirst.accessToken;
    expect((await onSecond.get('/api/session')).statusCode).toBe(200);
    await odin.request({ method: 'POST', url: '/api/auth/logout-everywhere' });
    expect((await onSecond.get('/api/session')).statusCode).toBe(401);
  });
});
