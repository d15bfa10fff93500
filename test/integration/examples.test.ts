import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExampleApp, installExample, startExample } from '../helpers/example-app.js';
import { type HeimdallProcess, startHeimdallProcess, tempDir } from '../helpers/heimdall-process.js';
import { CookieClient, send } from '../helpers/https-client.js';

const SECRET = 'examples-secret-examples-secret-examples-0123';
const PASSWORD = 'correct horse battery staple';
/** Heimdall's public origin: the `iss` of its tokens, and the host the protected app's pages are served from. */
const PUBLIC_URL = 'https://auth.example.test';

describe.each([
  ['express-app', "import { heimdall } from 'heimdall-auth/express'"],
  ['fastify-app', "import { heimdall } from 'heimdall-auth/fastify'"],
])('examples/%s: an app of its own with %s, beside a real Heimdall server', (name) => {
  const dir = tempDir(`heimdall-${name}-`);
  let heimdall: HeimdallProcess;
  let example: ExampleApp;
  let admin: CookieClient;
  let odin: CookieClient;
  let odinId: string;

  beforeAll(async () => {
    // Installed for real from its own package.json and lockfile; heimdall-auth is file:../.. (this checkout).
    const exampleDir = installExample(name);
    const shared = { DATABASE_URL: `sqlite:${join(dir.dir, 'heimdall.db')}`, HEIMDALL_SECRET: SECRET };
    heimdall = await startHeimdallProcess(
      { ...shared, HEIMDALL_GEOIP: 'false', HEIMDALL_PUBLIC_URL: PUBLIC_URL },
      dir.dir,
    );
    admin = new CookieClient(heimdall.url);
    await admin.request('/api/auth/register', {
      method: 'POST',
      body: { email: 'borr@asgard.example', password: PASSWORD },
    });
    odin = new CookieClient(heimdall.url);
    const registered = await odin.request('/api/auth/register', {
      method: 'POST',
      body: { email: 'odin@asgard.example', password: PASSWORD },
    });
    odinId = registered.json<{ user: { id: string } }>().user.id;
    // Only the database and the secret: the cookie name, token issuer and public origin come from the server's record.
    example = await startExample(exampleDir, shared);
  });

  afterAll(async () => {
    await example?.stop();
    await heimdall?.stop();
    dir.remove();
  });

  /** A request to the example app carrying Odin's Heimdall cookie (the same host in production, via nginx). */
  const asOdin = (path: string, options: Parameters<typeof send>[1] = {}) =>
    send(`${example.url}${path}`, {
      ...options,
      headers: { cookie: `__Host-heimdall=${odin.cookie}`, ...options.headers },
    });

  it('sees who is signed in, and refuses anonymous requests to guarded routes', async () => {
    expect((await send(`${example.url}/`)).json()).toEqual({ signedIn: false, email: null });
    const anonymous = await send(`${example.url}/me`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: { code: 'unauthenticated' } });

    const me = await asOdin('/me');
    expect(me.status).toBe(200);
    const body = me.json<{ user: Record<string, unknown>; scheme: string }>();
    expect(body.user).toMatchObject({ id: odinId, email: 'odin@asgard.example', roles: ['user'] });
    expect(body.user).not.toHaveProperty('passwordHash');
    expect(body.scheme).toBe('cookie');
    expect((await asOdin('/')).json()).toEqual({ signedIn: true, email: 'odin@asgard.example' });
  });

  it("requireRole('god') reads the role from Heimdall's database: promotion and demotion bite on the next request", async () => {
    expect((await asOdin('/valhalla')).status).toBe(403);
    const setRoles = (roles: string[]) =>
      admin.request(`/api/admin/users/${odinId}/roles`, { method: 'PUT', body: { roles } });
    expect((await setRoles(['user', 'god'])).status).toBe(200);
    expect((await asOdin('/valhalla')).json()).toEqual({ welcome: 'odin@asgard.example' });
    expect((await setRoles(['user'])).status).toBe(200);
    const refused = await asOdin('/valhalla');
    expect(refused.status).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'forbidden' } });
  });

  it("applies Heimdall's CSRF rules, allowing the app's own origin and the server's public one", async () => {
    const note = { method: 'POST', body: { text: 'Ravens report at dawn' } };
    const missing = await asOdin('/notes', { ...note, headers: { origin: example.url } });
    expect(missing.status).toBe(403);
    expect(missing.json()).toMatchObject({ error: { code: 'csrf_failed' } });
    const foreign = await asOdin('/notes', {
      ...note,
      headers: { origin: 'https://evil.example', 'x-csrf-token': odin.csrfToken! },
    });
    expect(foreign.status).toBe(403);
    for (const origin of [example.url, PUBLIC_URL]) {
      const saved = await asOdin('/notes', { ...note, headers: { origin, 'x-csrf-token': odin.csrfToken! } });
      expect(saved.status).toBe(201);
      expect(saved.json()).toEqual({ note: { text: 'Ravens report at dawn' }, by: odinId });
    }
  });

  it("accepts the server's Bearer access tokens (iss taken from its record), which need no CSRF token", async () => {
    const issued = await send(`${heimdall.url}/api/tokens`, {
      method: 'POST',
      body: { email: 'odin@asgard.example', password: PASSWORD },
    });
    const authorization = `Bearer ${issued.json<{ accessToken: string }>().accessToken}`;
    const me = await send(`${example.url}/me`, { headers: { authorization } });
    expect(me.json()).toMatchObject({ scheme: 'bearer', user: { id: odinId } });
    const saved = await send(`${example.url}/notes`, {
      method: 'POST',
      body: { text: 'x' },
      headers: { authorization },
    });
    expect(saved.status).toBe(201);
    expect((await send(`${example.url}/me`, { headers: { authorization: `${authorization}x` } })).status).toBe(401);
  });

  it('a session signed out at Heimdall is refused by the app at once, and its dead cookie is cleared', async () => {
    const phone = new CookieClient(heimdall.url);
    await phone.request('/api/auth/login', {
      method: 'POST',
      body: { email: 'odin@asgard.example', password: PASSWORD },
    });
    const cookie = phone.cookie!;
    const withPhone = () => send(`${example.url}/me`, { headers: { cookie: `__Host-heimdall=${cookie}` } });
    expect((await withPhone()).status).toBe(200);
    expect((await phone.request('/api/auth/logout', { method: 'POST' })).status).toBe(204);
    const refused = await withPhone();
    expect(refused.status).toBe(401);
    expect(String(refused.headers['set-cookie'])).toMatch(
      /^__Host-heimdall=; Path=\/; HttpOnly; Secure; SameSite=Strict; Max-Age=0/,
    );
    // And everything an admin revokes.
    expect((await admin.request(`/api/admin/users/${odinId}/sessions`, { method: 'DELETE' })).status).toBe(200);
    expect((await asOdin('/me')).status).toBe(401);
  });
});
