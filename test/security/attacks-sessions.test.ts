import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSecret } from '../../src/core/tokens.js';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

/** Attacks on sessions themselves: each test performs the attack and checks that it fails. */
describe('session attacks', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
    await signedUpClient(t.app, 'admin@asgard.example');
  });

  afterEach(async () => {
    await t.close();
  });

  it('fixation: a cookie planted before login never becomes the signed-in session', async () => {
    // The attacker gets a real session of their own and plants its cookie in the victim's browser.
    const attacker = await signedUpClient(t.app, 'loki@asgard.example');
    await signedUpClient(t.app, 'odin@asgard.example');
    const planted = attacker.cookie!;
    const victim = new TestClient(t.app);
    victim.cookie = planted;
    const login = await victim.login('odin@asgard.example');
    expect(login.statusCode).toBe(200);
    expect(victim.cookie).not.toBe(planted);
    // The planted session was deleted: the attacker's copy is dead, and it never became Odin's.
    const attackerView = await t.app.inject({ url: '/api/session', headers: { cookie: `__Host-heimdall=${planted}` } });
    expect(attackerView.statusCode).toBe(401);
    expect((await victim.get('/api/session')).json().user.email).toBe('odin@asgard.example');
  });

  it('fixation: a made-up cookie value is never adopted as a session id', async () => {
    await signedUpClient(t.app, 'odin@asgard.example');
    const chosen = generateSecret();
    const victim = new TestClient(t.app);
    victim.cookie = chosen;
    await victim.login('odin@asgard.example');
    expect(victim.cookie).not.toBe(chosen);
    expect(
      (await t.app.inject({ url: '/api/session', headers: { cookie: `__Host-heimdall=${chosen}` } })).statusCode,
    ).toBe(401);
  });

  it('replay after logout: a copied cookie is refused once its owner signs out', async () => {
    const odin = await signedUpClient(t.app, 'odin@asgard.example');
    const stolen = odin.cookie!;
    await odin.request({ method: 'POST', url: '/api/auth/logout' });
    const loki = new TestClient(t.app);
    loki.cookie = stolen;
    expect((await loki.get('/api/session')).statusCode).toBe(401);
    expect((await loki.get('/api/sessions')).statusCode).toBe(401);
  });

  it('replay after sign-out everywhere and after password change', async () => {
    const odin = await signedUpClient(t.app, 'odin@asgard.example');
    const phone = new TestClient(t.app);
    await phone.login('odin@asgard.example');
    const stolen = phone.cookie!;
    await odin.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: 'new and improved passphrase' },
    });
    expect(
      (await t.app.inject({ url: '/api/session', headers: { cookie: `__Host-heimdall=${stolen}` } })).statusCode,
    ).toBe(401);
  });

  it("IDOR: a user cannot end, or learn about, another user's session by id", async () => {
    const odin = await signedUpClient(t.app, 'odin@asgard.example');
    const loki = await signedUpClient(t.app, 'loki@asgard.example');
    const odinSessionId = (await odin.get('/api/session')).json().session.id;
    const attempt = await loki.request({ method: 'DELETE', url: `/api/sessions/${odinSessionId}` });
    expect(attempt.statusCode).toBe(404);
    expect(attempt.json().error.code).toBe('not_found');
    const unknown = await loki.request({ method: 'DELETE', url: `/api/sessions/${generateSecret().slice(0, 22)}` });
    expect(attempt.json()).toEqual(unknown.json());
    expect((await odin.get('/api/session')).statusCode).toBe(200);
    expect((await loki.get('/api/sessions')).json().sessions.map((s: { id: string }) => s.id)).not.toContain(
      odinSessionId,
    );
  });

  it('IDOR: the public session id is not a credential', async () => {
    const odin = await signedUpClient(t.app, 'odin@asgard.example');
    const id = (await odin.get('/api/session')).json().session.id;
    expect((await t.app.inject({ url: '/api/session', headers: { cookie: `__Host-heimdall=${id}` } })).statusCode).toBe(
      401,
    );
  });

  it('a stolen database holds no usable cookie: only digests are stored', async () => {
    const odin = await signedUpClient(t.app, 'odin@asgard.example');
    const rows = await (t.services as unknown as { sessions: { list(id: string): Promise<unknown[]> } }).sessions.list(
      (await odin.get('/api/session')).json().user.id,
    );
    expect(JSON.stringify(rows)).not.toContain(odin.cookie!);
  });

  it('expired sessions are refused even with a valid cookie, and the cookie is cleared', async () => {
    const odin = await signedUpClient(t.app, 'odin@asgard.example');
    t.clock.advance(12 * 3_600_000);
    const response = await odin.get('/api/session');
    expect(response.statusCode).toBe(401);
    expect(odin.cookie).toBeNull();
  });

  it('a session cookie is never readable by scripts nor sent cross-site, and never leaks in a body', async () => {
    const client = new TestClient(t.app);
    const response = await client.register('odin@asgard.example', PASSWORD, { name: 'Odin' });
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toMatch(/Domain=/i);
    expect(response.body).not.toContain(client.cookie!);
    const session = await client.get('/api/session');
    expect(session.body).not.toContain(client.cookie!);
    expect(session.json().session.tokenHash).toBeUndefined();
    expect(session.json().user.passwordHash).toBeUndefined();
  });

  it('user enumeration: unknown email and wrong password get the same status and body', async () => {
    await signedUpClient(t.app, 'odin@asgard.example');
    const unknown = await new TestClient(t.app).login('nobody@asgard.example', 'some password here');
    const wrong = await new TestClient(t.app).login('odin@asgard.example', 'some password here');
    expect(unknown.statusCode).toBe(wrong.statusCode);
    expect(unknown.body).toBe(wrong.body);
    expect(unknown.headers['set-cookie']).toEqual(wrong.headers['set-cookie']);
  });

  it('mass assignment: roles, ids and flags in a registration body are refused', async () => {
    for (const extra of [{ roles: ['admin'] }, { isAdmin: true }, { id: 'chosen' }, { sessionVersion: 9 }]) {
      const response = await new TestClient(t.app).register('loki@asgard.example', PASSWORD, extra);
      expect(response.statusCode, JSON.stringify(extra)).toBe(400);
      expect(response.json().error.code).toBe('invalid_request');
    }
    const loki = await signedUpClient(t.app, 'loki@asgard.example');
    expect((await loki.get('/api/session')).json().user.roles).toEqual(['user']);
  });

  it('mass assignment: a user cannot grant themselves roles', async () => {
    const loki = await signedUpClient(t.app, 'loki@asgard.example');
    const id = (await loki.get('/api/session')).json().user.id;
    const response = await loki.request({
      method: 'PUT',
      url: `/api/admin/users/${id}/roles`,
      payload: { roles: ['admin', 'god'] },
    });
    expect(response.statusCode).toBe(403);
    expect((await loki.get('/api/demo/valhalla')).statusCode).toBe(403);
  });
});
