import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeimdallProcess, ROOT, startHeimdallProcess, tempDir } from '../helpers/heimdall-process.js';
import { CookieClient, send } from '../helpers/https-client.js';

const EXAMPLE = join(ROOT, 'examples/express-app');
const SECRET = 'express-example-secret-express-example-0123';
const PASSWORD = 'correct horse battery staple';

/** Starts `node server.js` in the example and resolves with its URL once it says where it listens. */
function startExample(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output(): string }> {
  const child = spawn(process.execPath, ['server.js'], {
    cwd: EXAMPLE,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`the example did not start:\n${output}`)), 20_000);
    const check = () => {
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (!match) return;
      clearTimeout(deadline);
      resolve({ child, url: match[1]!, output: () => output });
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`the example exited with ${code}:\n${output}`));
    });
  });
}

describe("examples/express-app: an Express 5 app of its own with import { heimdall } from 'heimdall-auth/express'", () => {
  const dir = tempDir('heimdall-express-');
  let heimdall: HeimdallProcess;
  let example: Awaited<ReturnType<typeof startExample>>;
  let admin: CookieClient;
  let odin: CookieClient;
  let odinId: string;

  beforeAll(async () => {
    // Installed for real from its own package.json and lockfile: express from the registry, heimdall as file:../..
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: EXAMPLE, stdio: 'pipe', timeout: 180_000 });
    const env = {
      DATABASE_URL: `sqlite:${join(dir.dir, 'heimdall.db')}`,
      HEIMDALL_SECRET: SECRET,
      HEIMDALL_GEOIP: 'false',
    };
    heimdall = await startHeimdallProcess(env, dir.dir);
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
    example = await startExample(env);
  });

  afterAll(async () => {
    if (example?.child.exitCode === null) {
      const exited = new Promise((resolve) => example.child.once('exit', resolve));
      example.child.kill('SIGTERM');
      await exited;
    }
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

  it("applies Heimdall's CSRF rules to the app's own unsafe routes", async () => {
    const note = { method: 'POST', body: { text: 'Ravens report at dawn' } };
    const missing = await asOdin('/notes', { ...note, headers: { origin: example.url } });
    expect(missing.status).toBe(403);
    expect(missing.json()).toMatchObject({ error: { code: 'csrf_failed' } });
    const foreign = await asOdin('/notes', {
      ...note,
      headers: { origin: 'https://evil.example', 'x-csrf-token': odin.csrfToken! },
    });
    expect(foreign.status).toBe(403);
    const saved = await asOdin('/notes', {
      ...note,
      headers: { origin: example.url, 'x-csrf-token': odin.csrfToken! },
    });
    expect(saved.status).toBe(201);
    expect(saved.json()).toEqual({ note: { text: 'Ravens report at dawn' }, by: odinId });
  });

  it('accepts a Heimdall Bearer access token, which needs no CSRF token', async () => {
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
