import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

describe('account routes', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
  });

  afterEach(async () => {
    await t.close();
  });

  it('register answers 201 with user, session and CSRF token, and sets the hardened cookie', async () => {
    const client = new TestClient(t.app);
    const response = await client.register('  Freya@Vanaheim.example ', PASSWORD, { name: 'Freya' });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.user).toMatchObject({ email: 'freya@vanaheim.example', name: 'Freya', roles: ['admin'] });
    expect(body.session.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // 128 random bits (CSRF_TOKEN_BYTES), base64url.
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/^__Host-heimdall=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('register refuses a taken email (any case), a weak password and closed registration', async () => {
    await signedUpClient(t.app, 'odin@asgard.example');
    const taken = await new TestClient(t.app).register('ODIN@asgard.example');
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('email_taken');
    const weak = await new TestClient(t.app).register('loki@asgard.example', 'qwertyuiop');
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error).toMatchObject({ code: 'weak_password', message: expect.stringMatching(/common/) });
    const closed = await createTestApp({ HEIMDALL_ALLOW_REGISTRATION: 'false' });
    const refused = await new TestClient(closed.app).register('thor@asgard.example');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');
    await closed.close();
  });

  it('login answers 200 with a new session; "remember me" adds Max-Age of the absolute lifetime', async () => {
    await signedUpClient(t.app, 'odin@asgard.example');
    const plain = await new TestClient(t.app).login('odin@asgard.example');
    expect(plain.statusCode).toBe(200);
    expect(String(plain.headers['set-cookie'])).not.toMatch(/Max-Age/);
    const remembered = await new TestClient(t.app).login('odin@asgard.example', PASSWORD, { rememberMe: true });
    expect(String(remembered.headers['set-cookie'])).toMatch(/Max-Age=2592000/);
    expect(remembered.json().session.rememberMe).toBe(true);
  });

  it('login refuses a wrong password with 401 invalid_credentials', async () => {
    await signedUpClient(t.app, 'odin@asgard.example');
    const response = await new TestClient(t.app).login('odin@asgard.example', 'not my password at all');
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      error: { code: 'invalid_credentials', message: 'The email or password is incorrect.' },
    });
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('logout deletes the session server-side and clears the cookie; without a session it still answers 204', async () => {
    const client = await signedUpClient(t.app, 'odin@asgard.example');
    const secret = client.cookie;
    const response = await client.request({ method: 'POST', url: '/api/auth/logout' });
    expect(response.statusCode).toBe(204);
    expect(String(response.headers['set-cookie'])).toMatch(/__Host-heimdall=;.*Expires=Thu, 01 Jan 1970/);
    const replay = await t.app.inject({ url: '/api/session', headers: { cookie: `__Host-heimdall=${secret}` } });
    expect(replay.statusCode).toBe(401);
    expect((await new TestClient(t.app).request({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
  });

  it('logout-everywhere ends every session of the user', async () => {
    const laptop = await signedUpClient(t.app, 'odin@asgard.example');
    const phone = new TestClient(t.app);
    await phone.login('odin@asgard.example');
    const response = await laptop.request({ method: 'POST', url: '/api/auth/logout-everywhere' });
    expect(response.statusCode).toBe(204);
    expect((await phone.get('/api/session')).statusCode).toBe(401);
    expect(
      (await t.app.inject({ url: '/api/session', headers: { cookie: `__Host-heimdall=${laptop.cookie}` } })).statusCode,
    ).toBe(401);
  });

  it('password change rotates this session, ends all others, and the new password works', async () => {
    const laptop = await signedUpClient(t.app, 'odin@asgard.example');
    const phone = new TestClient(t.app);
    await phone.login('odin@asgard.example');
    const oldSecret = laptop.cookie;
    const response = await laptop.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: 'a completely new passphrase' },
    });
    expect(response.statusCode).toBe(200);
    expect(laptop.cookie).not.toBe(oldSecret);
    expect((await laptop.get('/api/session')).statusCode).toBe(200);
    expect((await phone.get('/api/session')).statusCode).toBe(401);
    expect(
      (await t.app.inject({ url: '/api/session', headers: { cookie: `__Host-heimdall=${oldSecret}` } })).statusCode,
    ).toBe(401);
    expect((await new TestClient(t.app).login('odin@asgard.example')).statusCode).toBe(401);
    expect((await new TestClient(t.app).login('odin@asgard.example', 'a completely new passphrase')).statusCode).toBe(
      200,
    );
    const listed = (await laptop.get('/api/sessions')).json().sessions;
    expect(listed).toHaveLength(2);
  });

  it('password change refuses a wrong current password and a weak new one, changing nothing', async () => {
    const client = await signedUpClient(t.app, 'odin@asgard.example');
    const wrong = await client.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: 'wrong wrong wrong', newPassword: 'a completely new passphrase' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('invalid_credentials');
    const weak = await client.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: PASSWORD, newPassword: 'password1' },
    });
    expect(weak.json().error.code).toBe('weak_password');
    expect((await client.get('/api/session')).statusCode).toBe(200);
    expect((await new TestClient(t.app).login('odin@asgard.example')).statusCode).toBe(200);
  });
});
