import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeimdallProcess, startHeimdallProcess, tempDir } from '../helpers/heimdall-process.js';

/** The built server over a real socket, with cookies handled as a browser would (Set-Cookie in, Cookie out). */
describe('Heimdall over a real socket', () => {
  let server: HeimdallProcess;
  const dir = tempDir();

  beforeAll(async () => {
    server = await startHeimdallProcess({ HEIMDALL_SECRET: 'x'.repeat(40) }, dir.dir);
  });

  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  function cookieFrom(response: Response): string {
    const header = response.headers.getSetCookie().find((c) => c.startsWith('__Host-heimdall='));
    if (!header) throw new Error('no session cookie');
    return header.split(';')[0]!;
  }

  it('signs up, reads the session with the cookie, and signs out', async () => {
    const register = await fetch(`${server.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: 'odin@asgard.example', password: 'correct horse battery staple' }),
    });
    expect(register.status).toBe(201);
    const [setCookie] = register.headers.getSetCookie();
    expect(setCookie).toMatch(/^__Host-heimdall=[\w-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const cookie = cookieFrom(register);
    const { csrfToken } = (await register.json()) as { csrfToken: string };

    const session = await fetch(`${server.url}/api/session`, { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(session.headers.get('cache-control')).toBe('no-store');
    expect(session.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(((await session.json()) as { user: { email: string } }).user.email).toBe('odin@asgard.example');

    const refused = await fetch(`${server.url}/api/auth/logout`, {
      method: 'POST',
      headers: { cookie, origin: 'http://evil.example' },
    });
    expect(refused.status).toBe(403);
    const logout = await fetch(`${server.url}/api/auth/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, origin: server.url },
    });
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie()[0]).toMatch(/^__Host-heimdall=;/);
    expect((await fetch(`${server.url}/api/session`, { headers: { cookie } })).status).toBe(401);
  });

  it('answers bad input with the documented error body and keeps serving', async () => {
    const response = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": "a@b.io", "password": ',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    expect(server.output()).not.toMatch(/"level":50/);
  });
});
