import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';
import { errorCode, mustLogin, mustRegister } from './attack-helpers.js';

const EMAIL = 'odin@asgard.example';

describe('session attacks (ASVS V7)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  it('7.2.1: a forged cookie of the right shape is refused by the server, not trusted', async () => {
    await signedUpClient(t.app, EMAIL);
    const forger = new TestClient(t.app);
    forger.cookie = 'A'.repeat(43);
    const response = await forger.get('/api/session');
    expect(response.statusCode).toBe(401);
    expect(errorCode(response)).toBe('unauthenticated');
  });

  it('7.2.1: a real cookie with one character flipped is refused', async () => {
    const odin = await signedUpClient(t.app, EMAIL);
    const forger = new TestClient(t.app);
    const last = odin.cookie!.at(-1) === 'A' ? 'B' : 'A';
    forger.cookie = `${odin.cookie!.slice(0, -1)}${last}`;
    expect((await forger.get('/api/session')).statusCode).toBe(401);
  });

  it('7.2.3: session secrets carry 256 random bits and never repeat across many sign-ins', async () => {
    await signedUpClient(t.app, EMAIL);
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const c = new TestClient(t.app);
      await mustLogin(c, EMAIL);
      expect(c.cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
      seen.add(c.cookie!);
    }
    expect(seen.size).toBe(100);
  });

  it('7.2.4: session fixation: a cookie planted by an attacker is dead once the victim signs in over it', async () => {
    await mustRegister(new TestClient(t.app), EMAIL);
    const attacker = new TestClient(t.app);
    await mustRegister(attacker, 'loki@asgard.example');
    const planted = attacker.cookie!;
    const victim = new TestClient(t.app);
    victim.cookie = planted;
    await mustLogin(victim, EMAIL);
    expect(victim.cookie).not.toBe(planted);
    const replay = new TestClient(t.app);
    replay.cookie = planted;
    expect((await replay.get('/api/session')).statusCode).toBe(401);
  });

  it('7.2.4: re-authentication by password change issues a new secret and kills the old one', async () => {
    const odin = await signedUpClient(t.app, EMAIL);
    const old = odin.cookie!;
    const changed = await odin.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: 'an entirely new passphrase' },
    });
    expect(changed.statusCode).toBe(200);
    expect(odin.cookie).not.toBe(old);
    const stale = new TestClient(t.app);
    stale.cookie = old;
    expect((await stale.get('/api/session')).statusCode).toBe(401);
  });

  it('7.3.1: an idle session dies after the inactivity timeout (30 min)', async () => {
    const odin = await signedUpClient(t.app, EMAIL);
    t.clock.advance(29 * 60_000);
    expect((await odin.get('/api/session')).statusCode).toBe(200);
    t.clock.advance(30 * 60_000 + 1);
    expect((await odin.get('/api/session')).statusCode).toBe(401);
  });

  it('7.3.2: constant activity cannot stretch a session past its absolute lifetime (12 h)', async () => {
    const odin = await signedUpClient(t.app, EMAIL);
    for (let hour = 0; hour < 12 * 6 - 1; hour++) {
      t.clock.advance(10 * 60_000);
      expect((await odin.get('/api/session')).statusCode).toBe(200);
    }
    t.clock.advance(10 * 60_000);
    expect((await odin.get('/api/session')).statusCode).toBe(401);
  });

  it('7.4.1: after logout the old cookie cannot resume the session (back button, replay)', async () => {
    const odin = await signedUpClient(t.app, EMAIL);
    const old = odin.cookie!;
    expect((await odin.request({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
    const replay = new TestClient(t.app);
    replay.cookie = old;
    expect((await replay.get('/api/session')).statusCode).toBe(401);
  });

  it('7.4.3: changing the password ends every other session of the user', async () => {
    const laptop = await signedUpClient(t.app, EMAIL);
    const phone = new TestClient(t.app);
    await mustLogin(phone, EMAIL);
    await laptop.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: 'an entirely new passphrase' },
    });
    expect((await phone.get('/api/session')).statusCode).toBe(401);
    expect((await laptop.get('/api/session')).statusCode).toBe(200);
  });

  it('7.4.5: an admin can terminate all sessions of a user at once', async () => {
    const admin = await signedUpClient(t.app, 'admin@asgard.example');
    const loki = await signedUpClient(t.app, 'loki@asgard.example');
    const id = ((await loki.get('/api/session')).json() as { user: { id: string } }).user.id;
    const revoked = await admin.request({ method: 'DELETE', url: `/api/admin/users/${id}/sessions` });
    expect(revoked.json()).toEqual({ revoked: 1 });
    expect((await loki.get('/api/session')).statusCode).toBe(401);
  });

  it("7.5.2 / 8.2.2: a user sees only their own sessions and cannot end someone else's by id", async () => {
    const odin = await signedUpClient(t.app, EMAIL);
    const loki = await signedUpClient(t.app, 'loki@asgard.example');
    const odinSessionId = ((await odin.get('/api/session')).json() as { session: { id: string } }).session.id;
    const listed = (await loki.get('/api/sessions')).json() as { sessions: { id: string }[] };
    expect(listed.sessions.map((s) => s.id)).not.toContain(odinSessionId);
    const attempt = await loki.request({ method: 'DELETE', url: `/api/sessions/${odinSessionId}` });
    expect(attempt.statusCode).toBe(404);
    expect((await odin.get('/api/session')).statusCode).toBe(200);
  });

  it('7.2.2: a session secret passed in the URL instead of the cookie is ignored', async () => {
    const odin = await signedUpClient(t.app, EMAIL);
    const secret = odin.cookie!;
    const response = await t.app.inject({ method: 'GET', url: `/api/session?session=${secret}&token=${secret}` });
    expect(response.statusCode).toBe(401);
  });

  it('8.3.1: roles are read from the database on every request, so a demotion bites at once', async () => {
    const admin = await signedUpClient(t.app, 'admin@asgard.example');
    const odin = await signedUpClient(t.app, EMAIL);
    const id = ((await odin.get('/api/session')).json() as { user: { id: string } }).user.id;
    await admin.request({ method: 'PUT', url: `/api/admin/users/${id}/roles`, payload: { roles: ['god'] } });
    expect((await odin.get('/api/demo/valhalla')).statusCode).toBe(200);
    await admin.request({ method: 'PUT', url: `/api/admin/users/${id}/roles`, payload: { roles: ['demigod'] } });
    expect((await odin.get('/api/demo/valhalla')).statusCode).toBe(403);
  });

  it('7.4.1: logout-everywhere kills sessions on every device, including ones made before it', async () => {
    const devices = [await signedUpClient(t.app, EMAIL)];
    for (let i = 0; i < 3; i++) {
      const c = new TestClient(t.app);
      await mustLogin(c, EMAIL);
      devices.push(c);
    }
    await devices[0]!.request({ method: 'POST', url: '/api/auth/logout-everywhere' });
    for (const d of devices) expect((await d.get('/api/session')).statusCode).toBe(401);
  });
});
