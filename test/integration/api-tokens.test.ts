import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, errorCode, type TokenPairBody } from '../helpers/api-client.js';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, type TestClient } from '../helpers/test-app.js';

const ODIN = 'odin@asgard.example';
const LOKI = 'loki@asgard.example';

describe('hybrid API tokens', () => {
  let t: TestApp;
  let odin: TestClient;

  beforeEach(async () => {
    t = await createTestApp();
    odin = await signedUpClient(t.app, ODIN);
  });

  afterEach(async () => {
    await t.close();
  });

  describe('POST /api/tokens', () => {
    it('issues an EdDSA access JWT with the documented claims and an opaque 32-byte refresh token', async () => {
      const api = new ApiClient(t.app);
      const response = await api.signIn(ODIN);
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.json() as TokenPairBody;
      expect(body).toEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 300,
        refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      const header = decodeProtectedHeader(body.accessToken);
      expect(header).toEqual({ alg: 'EdDSA', kid: t.services.keys.signingKey().kid, typ: 'at+jwt' });
      const claims = decodeJwt(body.accessToken);
      const user = await t.services.users.findByEmail(ODIN);
      expect(claims).toEqual({
        iss: t.config.publicUrl,
        aud: 'api',
        sub: user!.id,
        sid: expect.any(String),
        jti: expect.any(String),
        iat: Math.floor(t.clock.now() / 1000),
        exp: Math.floor(t.clock.now() / 1000) + 300,
        roles: ['admin'],
      });
    });

    it('answers an unknown email and a wrong password alike, with invalid_credentials', async () => {
      const api = new ApiClient(t.app);
      const unknown = await api.signIn('nobody@asgard.example');
      const wrong = await api.signIn(ODIN, 'not the password at all');
      expect([unknown.statusCode, wrong.statusCode]).toEqual([401, 401]);
      expect(unknown.json()).toEqual(wrong.json());
      expect(errorCode(wrong)).toBe('invalid_credentials');
    });

    it('issues tokens for a cookie session that sends its CSRF token, and refuses one that does not', async () => {
      expect((await odin.request({ method: 'POST', url: '/api/tokens', csrf: false })).statusCode).toBe(403);
      const response = await odin.request({ method: 'POST', url: '/api/tokens' });
      expect(response.statusCode).toBe(200);
      expect((response.json() as TokenPairBody).tokenType).toBe('Bearer');
    });

    it('refuses to start a new family on the strength of an access token alone', async () => {
      const api = new ApiClient(t.app);
      await api.signIn(ODIN);
      const response = await api.request({ method: 'POST', url: '/api/tokens' });
      // Creating tokens from a session is a sensitive action, which a Bearer token never performs (API.md).
      expect(response.statusCode).toBe(403);
      expect(errorCode(response)).toBe('reauthentication_required');
    });

    it('refuses unknown fields and answers 401 without credentials or a session', async () => {
      const extra = await t.app.inject({
        method: 'POST',
        url: '/api/tokens',
        payload: { email: ODIN, password: PASSWORD, scope: 'admin' },
      });
      expect(extra.statusCode).toBe(400);
      expect((await t.app.inject({ method: 'POST', url: '/api/tokens' })).statusCode).toBe(401);
    });
  });

  describe('Bearer on /api routes', () => {
    it('GET /api/session describes the token family as the session, with csrfToken null', async () => {
      const api = new ApiClient(t.app);
      await api.signIn(ODIN);
      const response = await api.get('/api/session');
      expect(response.statusCode).toBe(200);
      const body = response.json() as { user: { email: string }; session: { id: string; kind: string } };
      expect(body).toMatchObject({ user: { email: ODIN }, session: { kind: 'api' }, csrfToken: null });
      expect(body.session.id).toBe(decodeJwt(api.accessToken).sid);
    });

    it('lists token families with the cookie sessions, marking the calling family as current', async () => {
      const api = new ApiClient(t.app);
      await api.signIn(ODIN);
      const sid = decodeJwt(api.accessToken).sid;
      const viaCookie = (await odin.get('/api/sessions')).json() as { sessions: { id: string; kind: string }[] };
      expect(viaCookie.sessions.map((s) => s.kind).sort()).toEqual(['api', 'cookie']);
      const viaBearer = (await api.get('/api/sessions')).json() as {
        sessions: { id: string; kind: string; current: boolean }[];
      };
      expect(viaBearer.sessions.find((s) => s.current)).toMatchObject({ id: sid, kind: 'api' });
    });

    it('needs no CSRF token for unsafe methods', async () => {
      const api = new ApiClient(t.app);
      await api.signIn(ODIN);
      const response = await api.request({ method: 'POST', url: '/api/sessions/revoke-others' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ revoked: 1 });
    });

    it('takes roles from the database on every request, never from the token', async () => {
      const loki = new ApiClient(t.app);
      await signedUpClient(t.app, LOKI);
      await loki.signIn(LOKI);
      const lokiUser = await t.services.users.findByEmail(LOKI);
      expect((await loki.get('/api/demo/valhalla')).statusCode).toBe(403);
      await t.services.users.setRoles(lokiUser!.id, ['user', 'god']);
      expect((await loki.get('/api/demo/valhalla')).statusCode).toBe(200);
      await t.services.users.setRoles(lokiUser!.id, ['user']);
      // The same access token, whose `roles` claim never said god anyway: demotion bites at once.
      expect((await loki.get('/api/demo/valhalla')).statusCode).toBe(403);
    });

    it('never falls back to a cookie when the Bearer token is bad, so CSRF cannot be skipped that way', async () => {
      const response = await odin.request({
        method: 'POST',
        url: '/api/sessions/revoke-others',
        headers: { authorization: 'Bearer not-a-token' },
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect((await odin.get('/api/session')).statusCode).toBe(200);
    });
  });

  describe('POST /api/tokens/refresh', () => {
    it('rotates: a new pair for the same family, and the access token it returns works', async () => {
      const api = new ApiClient(t.app);
      await api.signIn(ODIN);
      const firstRefreshToken = api.refreshToken;
      const sid = decodeJwt(api.accessToken).sid;
      t.clock.advance(60_000);
      const response = await api.refresh();
      expect(response.statusCode).toBe(200);
      expect(api.refreshToken).not.toBe(firstRefreshToken);
      expect(decodeJwt(api.accessToken).sid).toBe(sid);
      expect((await api.get('/api/session')).statusCode).toBe(200);
    });

    it('answers a spent refresh token with token_reused and revokes the whole family and its access tokens', async () => {
      const api = new ApiClient(t.app);
      await api.signIn(ODIN);
      const stolen = api.refreshToken;
      const oldAccess = api.accessToken;
      await api.refresh();
      const reuse = await api.refresh(stolen);
      expect(reuse.statusCode).toBe(401);
      expect(errorCode(reuse)).toBe('token_reused');
      expect(errorCode(await api.refresh())).toBe('unauthenticated');
      expect((await api.get('/api/session')).statusCode).toBe(401);
      expect((await api.get('/api/session', oldAccess)).statusCode).toBe(401);
      const listed = (await odin.get('/api/sessions')).json() as { sessions: { kind: string }[] };
      expect(listed.sessions.map((s) => s.kind)).toEqual(['cookie']);
    });

    it('lets at most one of several concurrent refreshes with the same token win', async () => {
      const api = new ApiClient(t.app);
      await api.signIn(ODIN);
      const token = api.refreshToken;
      const responses = await Promise.all(Array.from({ length: 5 }, () => new ApiClient(t.app).refresh(token)));
      const statuses = responses.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([200, 401, 401, 401, 401]);
      // Reuse detection then ended the family: the winner's new tokens are dead too.
      const winner = responses.find((r) => r.statusCode === 200)!.json() as TokenPairBody;
      expect(errorCode(await api.refresh(winner.refreshToken))).toBe('unauthenticated');
      expect((await api.get('/api/session', winner.accessToken)).statusCode).toBe(401);
    });

    it('answers an unknown or malformed refresh token with unauthenticated', async () => {
      const api = new ApiClient(t.app);
      expect(errorCode(await api.refresh('A'.repeat(43)))).toBe('unauthenticated');
      expect(errorCode(await api.refresh('short'))).toBe('unauthenticated');
    });

    it('ends a family left unrefreshed for REFRESH_TOKEN_TTL, and any family at TOKEN_FAMILY_LIFETIME', async () => {
      const idle = new ApiClient(t.app);
      await idle.signIn(ODIN);
      const busy = new ApiClient(t.app);
      await busy.signIn(ODIN);
      const DAY = 86_400_000;
      t.clock.advance(6 * DAY);
      expect((await busy.refresh()).statusCode).toBe(200);
      t.clock.advance(DAY);
      expect(errorCode(await idle.refresh())).toBe('unauthenticated');
      for (let day = 7; day < 27; day += 5) {
        t.clock.advance(5 * DAY);
        expect((await busy.refresh()).statusCode).toBe(200);
      }
      t.clock.advance(3 * DAY - 3_600_000);
      expect((await busy.refresh()).statusCode).toBe(200);
      // Day 30: refreshed all along, but a family's absolute lifetime is 30 days.
      t.clock.advance(3_600_000);
      expect(errorCode(await busy.refresh())).toBe('unauthenticated');
    });

    it('never issues an access token that outlives its family', async () => {
      const api = new ApiClient(t.app);
      await api.signIn(ODIN);
      for (let day = 0; day < 24; day += 6) {
        t.clock.advance(6 * 86_400_000);
        await api.refresh();
      }
      // Two minutes before the family's 30-day end, a refresh gets an access token for those two minutes only.
      t.clock.advance(6 * 86_400_000 - 120_000);
      const response = await api.refresh();
      expect((response.json() as TokenPairBody).expiresIn).toBe(120);
    });
  });
});
