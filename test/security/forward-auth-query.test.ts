import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, signedUpClient, type TestApp, type TestClient } from '../helpers/test-app.js';
import { errorCode } from './attack-helpers.js';

/**
 * GET /auth/verify decides whether a reverse proxy lets a request through. A role requirement that the query
 * misspells must refuse, never silently become "any signed-in user" (outside security review, issue 15, finding 5).
 */
describe('forward auth accepts only `role` in its query, and every role given must be held (ASVS 15.3.7, 16.5.3)', () => {
  let t: TestApp;
  let admin: TestClient;
  let thor: TestClient;
  let thorId: string;

  beforeEach(async () => {
    t = await createTestApp();
    admin = await signedUpClient(t.app, 'odin@asgard.example');
    thor = await signedUpClient(t.app, 'thor@asgard.example');
    thorId = (await thor.get('/api/session')).json().user.id;
  });

  afterEach(async () => {
    await t.close();
  });

  const verify = (client: TestClient, query: string) => client.get(`/auth/verify${query}`);

  it('a misspelt or mangled role parameter is a 400, not a pass for any signed-in user', async () => {
    for (const query of [
      '?roles=admin',
      '?Role=admin',
      '?role[]=admin',
      '?role%5B%5D=admin',
      '?ROLE=admin',
      '?role=admin&debug=1',
      '?admin',
    ]) {
      const response = await verify(thor, query);
      expect([response.statusCode, errorCode(response)], query).toEqual([400, 'invalid_request']);
      expect(response.headers['x-auth-user-id'], query).toBeUndefined();
    }
  });

  it('an empty or malformed role is a 400 too', async () => {
    for (const query of ['?role=', '?role=Admin', '?role=a%20b']) {
      expect((await verify(thor, query)).statusCode, query).toBe(400);
    }
  });

  it('`role` may repeat, and then every one of them must be held', async () => {
    expect((await verify(thor, '?role=user')).statusCode).toBe(204);
    const both = '?role=user&role=god';
    const refused = await verify(thor, both);
    expect([refused.statusCode, errorCode(refused)]).toEqual([403, 'forbidden']);
    const granted = await admin.request({
      method: 'PUT',
      url: `/api/admin/users/${thorId}/roles`,
      payload: { roles: ['god', 'user'] },
    });
    expect(granted.statusCode).toBe(200);
    expect((await verify(thor, both)).statusCode).toBe(204);
    expect((await verify(thor, '?role=user&role=god&role=admin')).statusCode).toBe(403);
  });

  it('without a session the answer stays 401 whatever the query holds (no role probing)', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/auth/verify?role=admin' });
    expect(anonymous.statusCode).toBe(401);
  });
});
