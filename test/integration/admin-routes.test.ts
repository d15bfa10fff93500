import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, signedUpClient, type TestApp, type TestClient } from '../helpers/test-app.js';

describe('administration routes', () => {
  let t: TestApp;
  let admin: TestClient;
  let odin: TestClient;
  let odinId: string;

  beforeEach(async () => {
    t = await createTestApp();
    admin = await signedUpClient(t.app, 'borr@asgard.example');
    t.clock.advance(1);
    odin = await signedUpClient(t.app, 'odin@asgard.example');
    odinId = (await odin.get('/api/session')).json().user.id;
  });

  afterEach(async () => {
    await t.close();
  });

  it('lists users with search and cursor pagination', async () => {
    for (const name of ['thor', 'loki', 'freya', 'frigg']) {
      t.clock.advance(1); // user ids are UUIDv7: listed in creation order, to the millisecond
      await signedUpClient(t.app, `${name}@asgard.example`);
    }
    const all = (await admin.get('/api/admin/users')).json();
    expect(all.users.map((u: { email: string }) => u.email)).toEqual([
      'borr@asgard.example',
      'odin@asgard.example',
      'thor@asgard.example',
      'loki@asgard.example',
      'freya@asgard.example',
      'frigg@asgard.example',
    ]);
    expect(all.nextCursor).toBeNull();
    const search = (await admin.get('/api/admin/users?query=FR')).json();
    expect(search.users.map((u: { email: string }) => u.email)).toEqual([
      'freya@asgard.example',
      'frigg@asgard.example',
    ]);
    const page1 = (await admin.get('/api/admin/users?limit=4')).json();
    expect(page1.users).toHaveLength(4);
    const page2 = (await admin.get(`/api/admin/users?limit=4&cursor=${page1.nextCursor}`)).json();
    expect(page2.users.map((u: { email: string }) => u.email)).toEqual([
      'freya@asgard.example',
      'frigg@asgard.example',
    ]);
    expect(page2.nextCursor).toBeNull();
  });

  it('search treats LIKE wildcards literally', async () => {
    const response = (await admin.get('/api/admin/users?query=%25')).json();
    expect(response.users).toEqual([]);
  });

  it('promoting Odin to god opens Valhalla on his next request; demoting him closes it on the next one', async () => {
    expect((await odin.get('/api/demo/valhalla')).statusCode).toBe(403);
    const promoted = await admin.request({
      method: 'PUT',
      url: `/api/admin/users/${odinId}/roles`,
      payload: { roles: ['user', 'god'] },
    });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json().user.roles).toEqual(['god', 'user']);
    expect((await odin.get('/api/demo/valhalla')).json()).toEqual({ welcome: true });
    await admin.request({ method: 'PUT', url: `/api/admin/users/${odinId}/roles`, payload: { roles: ['demigod'] } });
    const refused = await odin.get('/api/demo/valhalla');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');
    // Demotion does not sign him out.
    expect((await odin.get('/api/session')).json().user.roles).toEqual(['demigod']);
  });

  it('refuses invalid role names and unknown users', async () => {
    const bad = await admin.request({
      method: 'PUT',
      url: `/api/admin/users/${odinId}/roles`,
      payload: { roles: ['Not Valid'] },
    });
    expect(bad.statusCode).toBe(400);
    const dup = await admin.request({
      method: 'PUT',
      url: `/api/admin/users/${odinId}/roles`,
      payload: { roles: ['god', 'god'] },
    });
    expect(dup.statusCode).toBe(400);
    const missing = await admin.request({
      method: 'PUT',
      url: '/api/admin/users/nobody/roles',
      payload: { roles: ['god'] },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses to demote the last active admin: 409 invalid_request (API.md, "Accounts")', async () => {
    const adminId = (await admin.get('/api/session')).json().user.id;
    const response = await admin.request({
      method: 'PUT',
      url: `/api/admin/users/${adminId}/roles`,
      payload: { roles: [] },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('invalid_request');
    expect(response.json().error.message).toMatch(/active admin must remain/);
  });

  it("sees and ends a user's sessions", async () => {
    const sessions = (await admin.get(`/api/admin/users/${odinId}/sessions`)).json().sessions;
    expect(sessions).toHaveLength(1);
    expect(sessions[0].current).toBe(false);
    const revoked = await admin.request({ method: 'DELETE', url: `/api/admin/users/${odinId}/sessions` });
    expect(revoked.json()).toEqual({ revoked: 1 });
    expect((await odin.get('/api/session')).statusCode).toBe(401);
    expect((await admin.get('/api/session')).statusCode).toBe(200);
  });

  it('ends one session by id, and answers 404 for unknown ids', async () => {
    const id = (await odin.get('/api/session')).json().session.id;
    expect((await admin.request({ method: 'DELETE', url: `/api/admin/sessions/${id}` })).statusCode).toBe(204);
    expect((await odin.get('/api/session')).statusCode).toBe(401);
    expect((await admin.request({ method: 'DELETE', url: `/api/admin/sessions/${id}` })).statusCode).toBe(404);
    expect((await admin.get('/api/admin/users/unknown/sessions')).statusCode).toBe(404);
  });

  it('every admin route answers 403 forbidden to a non-admin and 401 to nobody', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/admin/users'],
      ['PUT', `/api/admin/users/${odinId}/roles`, { roles: ['admin'] }],
      ['GET', `/api/admin/users/${odinId}/sessions`],
      ['DELETE', `/api/admin/users/${odinId}/sessions`],
      ['DELETE', '/api/admin/sessions/whatever'],
    ];
    for (const [method, url, payload] of routes) {
      const response = await odin.request({
        method: method as 'GET',
        url,
        ...(payload ? { payload: payload as object } : {}),
      });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      const anonymous = await t.app.inject({
        method: method as 'GET',
        url,
        ...(payload ? { payload: payload as object } : {}),
      });
      expect(anonymous.statusCode, `${method} ${url}`).toBe(401);
    }
    expect((await odin.get('/api/session')).json().user.roles).toEqual(['user']);
  });
});
