import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, errorCode } from '../helpers/api-client.js';
import { BOUND_COOKIE, DbscDevice, refreshChallenge, registrationChallenge } from '../helpers/dbsc-client.js';
import { hmacProof, makeDeviceKey, signProof, unsignedProof } from '../helpers/dbsc-keys.js';
import { createTestApp, PASSWORD, type TestApp, TestClient } from '../helpers/test-app.js';

const EMAIL = 'odin@asgard.example';
const TTL_MS = 10 * 60_000;
const GRACE_MS = 10_000;

describe('device-bound sessions (DBSC) over HTTP', () => {
  let t: TestApp;
  let client: TestClient;
  let device: DbscDevice;
  let sessionId: string;

  /** Signs in and registers a fresh device key with the sign-in's challenge. */
  async function signInBound(): Promise<void> {
    client = new TestClient(t.app);
    const login = await client.login(EMAIL);
    sessionId = login.json().session.id;
    device = await DbscDevice.for(client);
    const registered = await device.register(registrationChallenge(login)!);
    expect(registered.statusCode).toBe(200);
  }

  beforeEach(async () => {
    t = await createTestApp({ HEIMDALL_PUBLIC_URL: 'https://auth.asgard.example' });
    await new TestClient(t.app).register(EMAIL);
  });

  afterEach(async () => {
    await t.close();
  });

  it('offers registration on sign-in and binds the session to the proof key: instructions, bound cookie, flag', async () => {
    const login = await new TestClient(t.app).login(EMAIL);
    expect(login.headers['secure-session-registration']).toMatch(
      /^\(ES256\);path="\/api\/dbsc\/register";challenge="[A-Za-z0-9_-]{32}"$/,
    );
    await signInBound();
    const answer = await device.get('/api/session');
    expect(answer.statusCode).toBe(200);
    expect(answer.json().session.deviceBound).toBe(true);
    // The instructions exactly as API.md gives them, and the cookie they name.
    const again = new TestClient(t.app);
    const second = await again.login(EMAIL);
    const other = await DbscDevice.for(again);
    const registered = await other.register(registrationChallenge(second)!);
    expect(registered.json()).toEqual({
      session_identifier: second.json().session.id,
      refresh_url: '/api/dbsc/refresh',
      scope: { origin: 'https://auth.asgard.example', include_site: false },
      credentials: [{ type: 'cookie', name: BOUND_COOKIE, attributes: 'Path=/; Secure; HttpOnly; SameSite=Strict' }],
    });
    const cookie = registered.cookies.find((c) => c.name === BOUND_COOKIE)!;
    expect(cookie).toMatchObject({ path: '/', httpOnly: true, secure: true, sameSite: 'Strict', maxAge: 600 });
    const listed = (await device.get('/api/sessions')).json().sessions as { id: string; deviceBound: boolean }[];
    // Four sessions: sign-up's, the header check's (never registered) and the two bound ones.
    expect(
      listed
        .filter((s) => s.deviceBound)
        .map((s) => s.id)
        .sort(),
    ).toEqual([sessionId, second.json().session.id].sort());
    expect(listed.filter((s) => !s.deviceBound)).toHaveLength(2);
    const audit = await t.services.audit.list({
      userId: login.json().user.id,
      type: 'session.device_bound',
      limit: 10,
    });
    expect(audit.events).toHaveLength(2);
  });

  it('accepts requests without the bound cookie for 10 s after binding only (the first cookie is on its way)', async () => {
    await signInBound();
    // Requests the browser sent before the registration's answer carry no bound cookie yet.
    expect((await client.get('/api/session')).statusCode).toBe(200);
    t.clock.advance(GRACE_MS - 1);
    expect((await client.get('/api/session')).statusCode).toBe(200);
    t.clock.advance(1);
    expect((await client.get('/api/session')).statusCode).toBe(401);
    expect((await device.get('/api/session')).statusCode).toBe(200);
  });

  it('refuses a bound session without a valid bound cookie on every route and forward auth, cookie kept', async () => {
    await signInBound();
    t.clock.advance(GRACE_MS);
    const bare = await client.get('/api/session');
    expect(bare.statusCode).toBe(401);
    expect(errorCode(bare)).toBe('unauthenticated');
    // Not a dead session: the browser refreshes, so the session cookie is not cleared.
    expect(bare.cookies.find((c) => c.name === '__Host-heimdall')).toBeUndefined();
    expect((await client.get('/auth/verify')).statusCode).toBe(401);
    expect((await device.get('/auth/verify')).statusCode).toBe(204);
    // Another session's bound cookie, or a forged one, does not do.
    const forged = `${(t.clock.now() + TTL_MS).toString(36)}.${'A'.repeat(43)}`;
    for (const bound of [forged, device.bound!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))]) {
      const answer = await client.request({
        method: 'GET',
        url: '/api/session',
        headers: { cookie: `__Host-heimdall=${client.cookie}; ${BOUND_COOKIE}=${bound}` },
      });
      expect(answer.statusCode).toBe(401);
    }
  });

  it('accepts the bound cookie until its expiry plus the grace, then only after a refresh signed by the key', async () => {
    await signInBound();
    t.clock.advance(TTL_MS + GRACE_MS - 1);
    expect((await device.get('/api/session')).statusCode).toBe(200);
    t.clock.advance(1);
    expect((await device.get('/api/session')).statusCode).toBe(401);
    const refreshed = await device.refresh(sessionId);
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json().session_identifier).toBe(sessionId);
    expect((await device.get('/api/session')).statusCode).toBe(200);
  });

  it('answers a refresh without a proof with 403 and a challenge for the session; the challenge works once', async () => {
    await signInBound();
    const asked = await device.refreshWith(sessionId);
    expect(asked.statusCode).toBe(403);
    const challenge = refreshChallenge(asked)!;
    expect(challenge.id).toBe(sessionId);
    const proof = await signProof(device.key, challenge.challenge, { withJwk: false });
    expect((await device.refreshWith(sessionId, proof)).statusCode).toBe(200);
    device.bound = null;
    const replayed = await device.refreshWith(sessionId, proof);
    expect(replayed.statusCode).toBe(403);
    expect(replayed.cookies.find((c) => c.name === BOUND_COOKIE)).toBeUndefined();
    // A fresh challenge comes with the refusal, so a browser that signed a stale one can retry.
    expect(refreshChallenge(replayed)?.challenge).not.toBe(challenge.challenge);
  });

  it('refuses a refresh signed by another key (even naming itself in jwk): 403, no cookie, audited', async () => {
    await signInBound();
    const thief = await makeDeviceKey();
    const challenge = refreshChallenge(await device.refreshWith(sessionId))!;
    device.bound = null;
    const stolen = await device.refreshWith(sessionId, await signProof(thief, challenge.challenge));
    expect(stolen.statusCode).toBe(403);
    expect(stolen.cookies.find((c) => c.name === BOUND_COOKIE)).toBeUndefined();
    const { events } = await t.services.audit.list({ type: 'session.device_refresh_refused', limit: 10 });
    expect(events).toMatchObject([{ sessionId, details: { reason: 'wrong_key' } }]);
    // The thief's failure spent nothing the real device needs.
    expect((await device.refresh(sessionId)).statusCode).toBe(200);
  });

  it('refuses a refresh over a challenge older than five minutes', async () => {
    await signInBound();
    const challenge = refreshChallenge(await device.refreshWith(sessionId))!;
    t.clock.advance(5 * 60_000);
    const late = await device.refreshWith(
      sessionId,
      await signProof(device.key, challenge.challenge, { withJwk: false }),
    );
    expect(late.statusCode).toBe(403);
  });

  it('answers malformed proofs, alg none and HS256 with 400 and never 500', async () => {
    await signInBound();
    const challenge = refreshChallenge(await device.refreshWith(sessionId))!.challenge;
    const proofs = [
      'garbage',
      'a.b.c',
      unsignedProof({}, { jti: challenge }),
      await hmacProof({}, { jti: challenge }),
      await signProof(device.key, challenge, { header: { typ: 'JWT' } }),
    ];
    for (const proof of proofs) {
      const answer = await device.refreshWith(sessionId, proof);
      expect(answer.statusCode, proof.slice(0, 30)).toBe(400);
      expect(errorCode(answer)).toBe('invalid_request');
    }
    const unquoted = await client.request({
      method: 'POST',
      url: '/api/dbsc/refresh',
      headers: { cookie: device.cookies(), 'sec-secure-session-id': '"unterminated', 'secure-session-response': '"' },
    });
    expect(unquoted.statusCode).toBe(400);
  });

  it('refuses registration with a replayed, expired, unissued or malformed proof, and without a session', async () => {
    const login = await signInFresh();
    const challenge = registrationChallenge(login.response)!;
    const proof = await signProof(login.device.key, challenge);
    expect((await login.device.register(challenge, proof)).statusCode).toBe(200);
    const replay = await login.device.register(challenge, proof);
    expect(replay.statusCode).toBe(403);

    const late = await signInFresh();
    t.clock.advance(5 * 60_000);
    expect((await late.device.register(registrationChallenge(late.response)!)).statusCode).toBe(403);

    const unissued = await signInFresh();
    expect((await unissued.device.register('a-challenge-we-never-issued')).statusCode).toBe(403);
    // Another session's challenge does not answer this one's registration.
    const [a, b] = [await signInFresh(), await signInFresh()];
    expect((await a.device.register(registrationChallenge(b.response)!)).statusCode).toBe(403);

    const malformed = await signInFresh();
    const none = unsignedProof({ jwk: malformed.device.key.jwk }, { jti: registrationChallenge(malformed.response) });
    expect((await malformed.device.register('', none)).statusCode).toBe(400);
    const missing = await malformed.client.request({
      method: 'POST',
      url: '/api/dbsc/register',
      csrf: false,
      headers: { cookie: malformed.device.cookies() },
    });
    expect(missing.statusCode).toBe(400);

    const anonymous = await DbscDevice.for(new TestClient(t.app));
    expect((await anonymous.register(challenge)).statusCode).toBe(401);
  });

  it('answers arbitrary proof and session-id headers with 4xx (or a refusal to continue), never 5xx', async () => {
    await signInBound();
    const header = fc.oneof(
      fc.string(),
      fc.string().map((text) => `"${text}"`),
      fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((parts) => `"${parts.join('.')}"`),
      fc.constant(`"${sessionId}"`),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('register', 'refresh'), header, header, async (route, proof, id) => {
        const answer = await client.request({
          method: 'POST',
          url: `/api/dbsc/${route}`,
          csrf: false,
          headers: { cookie: device.cookies(), 'secure-session-response': proof, 'sec-secure-session-id': id },
        });
        expect([200, 400, 401, 403]).toContain(answer.statusCode);
        if (answer.statusCode === 200) expect(answer.json()).toEqual({ continue: false });
      }),
      { numRuns: 150 },
    );
  });

  it('needs no CSRF token for the browser-made calls, but still refuses a cross-site origin', async () => {
    const login = await signInFresh();
    const challenge = registrationChallenge(login.response)!;
    const crossSite = await login.client.request({
      method: 'POST',
      url: '/api/dbsc/register',
      csrf: false,
      headers: {
        cookie: login.device.cookies(),
        origin: 'https://evil.example',
        'secure-session-response': `"${await signProof(login.device.key, challenge)}"`,
      },
    });
    expect(crossSite.statusCode).toBe(403);
    expect(errorCode(crossSite)).toBe('csrf_failed');
  });

  it('ends the binding with the session: logout, and a password change that rotates to an unbound session', async () => {
    await signInBound();
    const out = await client.request({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: device.cookies() },
    });
    expect(out.statusCode).toBe(204);
    expect((await device.refreshWith(sessionId)).statusCode).toBe(401);
    expect(await t.services.sessions.findById(sessionId)).toBeNull();

    await signInBound();
    const changed = await client.request({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie: device.cookies() },
      payload: { currentPassword: PASSWORD, newPassword: 'an entirely new passphrase' },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().session.deviceBound).toBe(false);
    expect(registrationChallenge(changed)).not.toBeNull();
    expect(await t.services.sessions.findById(sessionId)).toBeNull();
    // The browser's old device-bound session is told to stop rather than failed; the new session works unbound.
    expect((await device.refreshWith(sessionId)).json()).toEqual({ continue: false });
    expect((await client.get('/api/session')).statusCode).toBe(200);
  });

  it('keeps the binding through re-authentication, which offers no new registration', async () => {
    await signInBound();
    const session = (await device.get('/api/session')).json();
    client.csrfToken = session.csrfToken;
    const reauth = await client.request({
      method: 'POST',
      url: '/api/auth/reauthenticate',
      headers: { cookie: device.cookies() },
      payload: { password: PASSWORD },
    });
    expect(reauth.statusCode).toBe(200);
    expect(reauth.headers['secure-session-registration']).toBeUndefined();
    expect(reauth.json().session).toMatchObject({ id: sessionId, deviceBound: true });
    expect((await device.get('/api/session')).statusCode).toBe(200);
    t.clock.advance(GRACE_MS);
    expect((await client.get('/api/session')).statusCode).toBe(401);
  });

  it('leaves sessions that never register ordinary, and refuses binding for API tokens', async () => {
    const plain = new TestClient(t.app);
    await plain.login(EMAIL);
    const answer = await plain.get('/api/session');
    expect(answer.statusCode).toBe(200);
    expect(answer.json().session.deviceBound).toBe(false);
    const api = new ApiClient(t.app);
    await api.signIn(EMAIL);
    const refused = await api.request({ method: 'POST', url: '/api/dbsc/register' });
    expect(refused.statusCode).toBe(403);
  });

  async function signInFresh() {
    const c = new TestClient(t.app);
    const response = await c.login(EMAIL);
    return { client: c, response, device: await DbscDevice.for(c) };
  }
});

describe('DBSC with an SPA on another origin', () => {
  it('lets the SPA origins’ hosts trigger refreshes (allowed_refresh_initiators)', async () => {
    const t = await createTestApp({
      HEIMDALL_PUBLIC_URL: 'https://auth.asgard.example',
      HEIMDALL_ORIGINS: 'https://app.asgard.example,https://admin.asgard.example:8443',
    });
    try {
      const client = new TestClient(t.app);
      const registered = await client.register(EMAIL);
      const device = await DbscDevice.for(client);
      const answer = await device.register(registrationChallenge(registered)!);
      expect(answer.json().allowed_refresh_initiators).toEqual(['app.asgard.example', 'admin.asgard.example']);
    } finally {
      await t.close();
    }
  });
});

describe('DBSC=off', () => {
  it('offers no registration, answers 404 at the endpoints and keeps sessions ordinary', async () => {
    const t = await createTestApp({ DBSC: 'off' });
    try {
      const client = new TestClient(t.app);
      const registered = await client.register(EMAIL);
      expect(registered.headers['secure-session-registration']).toBeUndefined();
      const device = await DbscDevice.for(client);
      expect((await device.register('anything')).statusCode).toBe(404);
      expect((await device.refreshWith(registered.json().session.id)).statusCode).toBe(404);
      expect((await client.get('/api/session')).json().session.deviceBound).toBe(false);
    } finally {
      await t.close();
    }
  });
});
