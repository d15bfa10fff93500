import { afterEach, describe, expect, it } from 'vitest';
import type { EventBus, PushEvent } from '../../src/core/events.js';
import { SessionService } from '../../src/core/session-service.js';
import { openDatabase, type SqlDatabase } from '../../src/stores/sql/database.js';
import { migrateToLatest } from '../../src/stores/sql/migrator.js';
import { SqlSessionStore } from '../../src/stores/sql/sql-session-store.js';
import { SqlUserRepository } from '../../src/stores/sql/sql-user-repository.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { createTestApp, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';
import { ADDRESSES, mustLogin, mustRegister, proxiedApp, RemoteClient } from '../security/attack-helpers.js';

/** Sessions made as a password sign-in makes them. */
const PASSWORD = { methods: ['password' as const] };

let testApp: TestApp | undefined;
let database: SqlDatabase | undefined;
afterEach(async () => {
  await testApp?.close();
  await database?.close();
  testApp = undefined;
  database = undefined;
});

/** A real app whose bus is watched: what the core announces, in order. */
async function watched() {
  testApp = await createTestApp();
  const events: PushEvent[] = [];
  testApp.services.events.subscribe((event) => events.push(event));
  return { ...testApp, events };
}

async function whoAmI(client: TestClient) {
  return (await client.get('/api/session')).json() as { user: { id: string }; session: { id: string } };
}

describe('what the core announces on the event bus', () => {
  it('sign-out announces session.revoked for exactly the session that ended', async () => {
    const { app, events } = await watched();
    const client = await signedUpClient(app, 'odin@asgard.example');
    const me = await whoAmI(client);
    await client.request({ method: 'POST', url: '/api/auth/logout' });
    expect(events).toEqual([
      { type: 'session.revoked', userId: me.user.id, sessionIds: [me.session.id], data: { reason: 'signed_out' } },
    ]);
  });

  it('"sign out all other devices" names every other session and never the current one', async () => {
    const { app, events } = await watched();
    const laptop = await signedUpClient(app, 'odin@asgard.example');
    const others = [new TestClient(app), new TestClient(app)];
    for (const other of others) await other.login('odin@asgard.example');
    const otherIds = await Promise.all(others.map(async (c) => (await whoAmI(c)).session.id));
    const me = await whoAmI(laptop);

    await laptop.request({ method: 'POST', url: '/api/sessions/revoke-others' });
    expect(events).toHaveLength(1);
    expect(events[0]!.sessionIds!.sort()).toEqual(otherIds.sort());
    expect(events[0]!.sessionIds).not.toContain(me.session.id);
  });

  it('a password change names the other sessions but leaves the rotating one to its own client', async () => {
    const { app, events } = await watched();
    const laptop = await signedUpClient(app, 'odin@asgard.example');
    const phone = new TestClient(app);
    await phone.login('odin@asgard.example');
    const [laptopId, phoneId] = [(await whoAmI(laptop)).session.id, (await whoAmI(phone)).session.id];

    const changed = await laptop.request({
      method: 'POST',
      url: '/api/auth/password',
      payload: { currentPassword: 'correct horse battery staple', newPassword: 'another fine passphrase' },
    });
    expect(changed.statusCode).toBe(200);
    expect(events.map((e) => [e.type, e.sessionIds, e.data.reason])).toEqual([
      ['session.revoked', [phoneId], 'password_changed'],
    ]);
    expect(events[0]!.sessionIds).not.toContain(laptopId);
  });

  it('admin revocations say an administrator did it', async () => {
    const { app, events } = await watched();
    const admin = await signedUpClient(app, 'odin@asgard.example');
    const thor = await signedUpClient(app, 'thor@asgard.example');
    const thorMe = await whoAmI(thor);
    await admin.request({ method: 'DELETE', url: `/api/admin/sessions/${thorMe.session.id}` });
    await thor.login('thor@asgard.example');
    await admin.request({ method: 'DELETE', url: `/api/admin/users/${thorMe.user.id}/sessions` });
    expect(events.map((e) => [e.userId, e.data.reason])).toEqual([
      [thorMe.user.id, 'admin'],
      [thorMe.user.id, 'admin'],
    ]);
  });

  it('announces roles.changed when roles change, and nothing when they stay the same', async () => {
    const { app, events, services } = await watched();
    await signedUpClient(app, 'odin@asgard.example');
    const thor = await signedUpClient(app, 'thor@asgard.example');
    const thorId = (await whoAmI(thor)).user.id;
    await services.users.setRoles(thorId, ['user', 'god']);
    await services.users.setRoles(thorId, ['god', 'user']);
    expect(events).toEqual([{ type: 'roles.changed', userId: thorId, data: { roles: ['god', 'user'] } }]);
  });

  it('a sign-in from a third country pushes security.warning to the user', async () => {
    testApp = await proxiedApp();
    const events: PushEvent[] = [];
    testApp.services.events.subscribe((event) => events.push(event));
    const userId = await mustRegister(new RemoteClient(testApp.app, ADDRESSES.US), 'odin@asgard.example');
    for (const country of ['GB', 'JP'] as const) {
      await mustLogin(new RemoteClient(testApp.app, ADDRESSES[country]), 'odin@asgard.example');
    }
    const warnings = events.filter((e) => e.type === 'security.warning');
    expect(warnings).toEqual([
      expect.objectContaining({ userId, data: expect.objectContaining({ code: 'multiple_countries' }) }),
    ]);
  });

  it('with ANOMALY_ACTION=revoke the sessions it ends are announced, so their pages return to sign-in', async () => {
    testApp = await proxiedApp({ ANOMALY_ACTION: 'revoke' });
    const events: PushEvent[] = [];
    testApp.services.events.subscribe((event) => events.push(event));
    const first = new RemoteClient(testApp.app, ADDRESSES.US);
    await mustRegister(first, 'odin@asgard.example');
    const second = new RemoteClient(testApp.app, ADDRESSES.GB);
    await mustLogin(second, 'odin@asgard.example');
    const ended = [await whoAmI(first), await whoAmI(second)].map((me) => me.session.id);
    // The third country's sign-in completes the spread: every session ends, its own (the third id) included.
    expect((await new RemoteClient(testApp.app, ADDRESSES.JP).login('odin@asgard.example')).statusCode).toBe(401);
    const revoked = events.find((e) => e.type === 'session.revoked');
    expect(revoked?.data).toEqual({ reason: 'anomaly' });
    expect(revoked?.sessionIds).toEqual(expect.arrayContaining(ended));
    expect(revoked?.sessionIds).toHaveLength(3);
  });

  it('a bus that cannot publish does not undo or fail a revocation', async () => {
    database = await openDatabase('sqlite::memory:');
    await migrateToLatest(database.db);
    const users = new SqlUserRepository(database.db);
    const created = await users.create({
      id: 'u1',
      email: 'u1@example.test',
      name: 'u1',
      passwordHash: null,
      createdAt: 0,
    });
    if (!created.ok) throw new Error('user');
    const brokenBus: EventBus = {
      publish: async () => {
        throw new Error('redis down');
      },
      subscribe: () => () => {},
      close: async () => {},
    };
    const sessions = new SessionService({
      store: new SqlSessionStore(database.db),
      users,
      clock: new FakeClock(),
      policy: {
        idleTimeoutMs: 60_000,
        absoluteTimeoutMs: 120_000,
        rememberIdleTimeoutMs: 60_000,
        rememberAbsoluteTimeoutMs: 120_000,
      },
      events: brokenBus,
    });
    const issued = await sessions.create(created.user, { ip: '127.0.0.1', userAgent: '' }, PASSWORD);
    await expect(sessions.revoke(issued.session)).resolves.toBeUndefined();
    expect(await sessions.validate(issued.secret)).toBeNull();
  });
});
