import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signedUpClient, type TestApp, type TestClient } from '../helpers/test-app.js';
import { ADDRESSES, auditOf, errorCode, mustLogin, proxiedApp, RemoteClient } from './attack-helpers.js';

interface EventView {
  id: string;
  at: string;
  type: string;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  country: string | null;
  details: Record<string, unknown>;
}

describe('authorization and the audit log (ASVS V8, V16)', () => {
  let t: TestApp;
  let admin: TestClient;
  let odin: RemoteClient;
  let odinId: string;

  beforeEach(async () => {
    t = await proxiedApp();
    admin = await signedUpClient(t.app, 'admin@asgard.example');
    odin = new RemoteClient(t.app, ADDRESSES.SE);
    const registered = await odin.register('odin@asgard.example');
    odinId = (registered.json() as { user: { id: string } }).user.id;
  });
  afterEach(async () => {
    await t.close();
  });

  it('8.2.1: every administration route refuses a signed-in non-admin with 403', async () => {
    const routes: [string, string, object?][] = [
      ['GET', '/api/admin/users'],
      ['GET', '/api/admin/audit'],
      ['PUT', `/api/admin/users/${odinId}/roles`, { roles: ['admin'] }],
      ['GET', `/api/admin/users/${odinId}/sessions`],
      ['DELETE', `/api/admin/users/${odinId}/sessions`],
      ['DELETE', '/api/admin/sessions/abc'],
    ];
    for (const [method, url, payload] of routes) {
      const response = await odin.request({ method: method as 'GET', url, ...(payload ? { payload } : {}) });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(errorCode(response)).toBe('forbidden');
    }
  });

  it("8.2.2: GET /api/audit returns the caller's own events only, whatever query is added", async () => {
    const response = await odin.get(`/api/audit?limit=100`);
    const events = (response.json() as { events: EventView[] }).events;
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.userId === odinId)).toBe(true);
    expect((await odin.get(`/api/audit?userId=${odinId}`)).statusCode).toBe(400);
  });

  it('16.2.1 / 16.3.1: sign-ins, good and bad, are audited with when, who, where and from what', async () => {
    await odin.login('odin@asgard.example', 'a wrong password for odin');
    await mustLogin(odin, 'odin@asgard.example');
    const [ok, failed] = (await auditOf(admin, odinId)) as unknown as EventView[];
    expect(ok).toMatchObject({ type: 'auth.login', userId: odinId, ip: ADDRESSES.SE, country: 'SE' });
    expect(ok!.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ok!.userAgent).toContain('Chrome');
    expect(Date.parse(ok!.at)).toBe(t.clock.now());
    expect(failed).toMatchObject({ type: 'auth.login_failed', userId: odinId, sessionId: null });
  });

  it('16.3.1: logout, revocations (with who did it), password and role changes are all audited', async () => {
    const adminId = ((await admin.get('/api/session')).json() as { user: { id: string } }).user.id;
    await admin.request({
      method: 'PUT',
      url: `/api/admin/users/${odinId}/roles`,
      payload: { roles: ['god', 'user'] },
    });
    await odin.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: 'correct horse battery staple', newPassword: 'a different long passphrase' },
    });
    await odin.request({ method: 'POST', url: '/api/sessions/revoke-others' });
    await admin.request({ method: 'DELETE', url: `/api/admin/users/${odinId}/sessions` });
    const second = new RemoteClient(t.app, ADDRESSES.SE);
    await mustLogin(second, 'odin@asgard.example', 'a different long passphrase');
    await second.request({ method: 'POST', url: '/api/auth/logout' });
    const events = (await auditOf(admin, odinId)) as unknown as EventView[];
    const byType = (type: string) => events.filter((e) => e.type === type);
    expect(byType('roles.changed')[0]?.details).toEqual({ from: ['user'], to: ['god', 'user'], actorId: adminId });
    expect(byType('password.changed')).toHaveLength(1);
    expect(byType('session.revoked').map((e) => e.details.by)).toEqual(['admin', 'user']);
    expect(byType('auth.logout')).toHaveLength(1);
    expect(byType('auth.register')).toHaveLength(1);
  });

  it('the admin view filters by user and type and pages newest-first with an opaque cursor', async () => {
    for (let i = 0; i < 5; i++) await odin.login('odin@asgard.example', `wrong guess ${i}`);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const query = new URLSearchParams({
        userId: odinId,
        type: 'auth.login_failed',
        limit: '2',
        ...(cursor ? { cursor } : {}),
      });
      const page = (await admin.get(`/api/admin/audit?${query}`)).json() as {
        events: EventView[];
        nextCursor: string | null;
      };
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(5);
    expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen);
  });

  it('a forged or garbage audit cursor is harmless, and an unknown event type is a 400', async () => {
    expect((await admin.get('/api/admin/audit?cursor=%27%20OR%201%3D1--')).statusCode).toBe(200);
    expect((await admin.get(`/api/admin/audit?cursor=${Buffer.from('a:-1').toString('base64url')}`)).statusCode).toBe(
      200,
    );
    expect((await admin.get('/api/admin/audit?type=drop.table')).statusCode).toBe(400);
  });

  it('retention: events older than AUDIT_RETENTION are pruned, newer ones stay', async () => {
    t.clock.advance(91 * 86_400_000);
    await mustLogin(odin, 'odin@asgard.example');
    await mustLogin(admin, 'admin@asgard.example');
    expect(await t.services.audit.prune()).toBeGreaterThan(0);
    const left = (await auditOf(admin, odinId)) as unknown as EventView[];
    expect(left.map((e) => e.type)).toEqual(['auth.login']);
    expect(left[0]!.at).toBe(new Date(t.clock.now()).toISOString());
  });

  it('16.5.1: an unexpected failure answers a generic message with the request id, no stack or SQL', async () => {
    await t.services.close();
    const response = await admin.get('/api/session');
    expect(response.statusCode).toBe(500);
    expect(errorCode(response)).toBe('internal_error');
    expect(response.body).toContain(String(response.headers['x-request-id']));
    expect(response.body).not.toMatch(/at \w+ \(|select|sqlite|kysely/i);
    await t.app.close();
    t = await proxiedApp();
  });
});
