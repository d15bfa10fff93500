import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbscDevice, registrationChallenge } from '../helpers/dbsc-client.js';
import { DIALECT_LABELS, DIALECTS, useSqlDatabases } from '../helpers/sql-dialects.js';
import { createTestApp, PASSWORD, signedUpClient, type TestApp, TestClient } from '../helpers/test-app.js';

const databases = useSqlDatabases();

for (const dialect of DIALECTS) {
  describe(`the HTTP API end to end on ${DIALECT_LABELS[dialect]}`, () => {
    let app: TestApp;
    let admin: TestClient;
    beforeAll(async () => {
      app = await createTestApp({ DATABASE_URL: await databases.url(dialect) });
      admin = await signedUpClient(app.app, 'admin@example.test');
    });
    afterAll(async () => {
      await app?.close();
    });

    it('signs up, signs in, lists and revokes devices, and signs out', async () => {
      const first = await signedUpClient(app.app, 'frigg@example.test');
      const second = new TestClient(app.app);
      expect((await second.login('FRIGG@example.test')).statusCode).toBe(200);
      const listed = (await first.get('/api/sessions')).json().sessions as { id: string; current: boolean }[];
      expect(listed).toHaveLength(2);
      const other = listed.find((s) => !s.current)!;
      expect((await first.request({ method: 'DELETE', url: `/api/sessions/${other.id}` })).statusCode).toBe(204);
      expect((await second.get('/api/session')).statusCode).toBe(401);
      expect((await first.request({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
      expect((await first.get('/api/session')).statusCode).toBe(401);
    });

    it('binds a session to a device key (DBSC), refreshes it and refuses it without the bound cookie', async () => {
      const client = new TestClient(app.app);
      await client.register('idun@example.test');
      const login = await client.login('idun@example.test');
      const sessionId = login.json().session.id as string;
      const device = await DbscDevice.for(client);
      expect((await device.register(registrationChallenge(login)!)).statusCode).toBe(200);
      expect((await device.refresh(sessionId)).statusCode).toBe(200);
      expect((await device.get('/api/session')).json().session.deviceBound).toBe(true);
      app.clock.advance(10_000);
      expect((await client.get('/api/session')).statusCode).toBe(401);
    });

    it('lets an admin find users, grant and take a role, and sign a user out everywhere', async () => {
      const loki = await signedUpClient(app.app, 'loki_100%@example.test');
      const found = await admin.get('/api/admin/users?query=LOKI_100%25');
      expect(found.statusCode).toBe(200);
      const users = found.json().users as { id: string; email: string }[];
      expect(users.map((u) => u.email)).toEqual(['loki_100%@example.test']);
      const id = users[0]!.id;
      const granted = await admin.request({
        method: 'PUT',
        url: `/api/admin/users/${id}/roles`,
        payload: { roles: ['god'] },
      });
      expect(granted.statusCode).toBe(200);
      expect((await loki.get('/api/demo/valhalla')).statusCode).toBe(200);
      await admin.request({ method: 'PUT', url: `/api/admin/users/${id}/roles`, payload: { roles: ['user'] } });
      expect((await loki.get('/api/demo/valhalla')).statusCode).toBe(403);
      expect((await admin.request({ method: 'DELETE', url: `/api/admin/users/${id}/sessions` })).json()).toEqual({
        revoked: 1,
      });
      expect((await loki.get('/api/session')).statusCode).toBe(401);
    });

    it('changes a password: the current session is rotated, every other one ends', async () => {
      const thor = await signedUpClient(app.app, 'thor@example.test');
      const elsewhere = new TestClient(app.app);
      await elsewhere.login('thor@example.test');
      const changed = await thor.request({
        method: 'POST',
        url: '/api/auth/password',
        payload: { currentPassword: PASSWORD, newPassword: 'an entirely new passphrase' },
      });
      expect(changed.statusCode).toBe(200);
      expect((await thor.get('/api/session')).statusCode).toBe(200);
      expect((await elsewhere.get('/api/session')).statusCode).toBe(401);
      expect((await new TestClient(app.app).login('thor@example.test', 'an entirely new passphrase')).statusCode).toBe(
        200,
      );
    });

    it('reports the database in health', async () => {
      const health = await new TestClient(app.app).get('/api/health');
      expect(health.json()).toEqual({ status: 'ok', checks: { database: 'ok', sessions: 'ok' } });
    });
  });
}
