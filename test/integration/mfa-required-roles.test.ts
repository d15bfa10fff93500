import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../helpers/api-client.js';
import { configProblems } from '../helpers/config-problems.js';
import { enrolTotp } from '../helpers/second-factors.js';
import { createTestApp, signedUpClient, type TestApp, type TestClient } from '../helpers/test-app.js';

describe('MFA_REQUIRED_ROLES', () => {
  let t: TestApp;
  let admin: TestClient;
  let user: TestClient;

  beforeAll(async () => {
    t = await createTestApp({ MFA_REQUIRED_ROLES: 'admin,auditor' });
    admin = await signedUpClient(t.app, 'odin@asgard.example');
    user = await signedUpClient(t.app, 'thor@asgard.example');
  });
  afterAll(async () => {
    await t.close();
  });

  it('an admin without a second factor gets 403 second_factor_required from every admin route, and only there', async () => {
    const refused = await admin.get('/api/admin/users');
    expect(refused.statusCode).toBe(403);
    expect(errorCode(refused)).toBe('second_factor_required');
    expect(refused.json().error.message).toMatch(/second factor/);
    expect((await admin.get('/api/admin/audit')).statusCode).toBe(403);
    expect((await admin.get('/api/session')).statusCode).toBe(200);
    expect((await admin.get('/api/sessions')).statusCode).toBe(200);
  });

  it('once a second factor is enrolled the role’s routes answer', async () => {
    await enrolTotp(admin, t.clock);
    expect((await admin.get('/api/admin/users')).statusCode).toBe(200);
  });

  it('someone without the role still gets forbidden, not second_factor_required', async () => {
    const response = await user.get('/api/admin/users');
    expect(response.statusCode).toBe(403);
    expect(errorCode(response)).toBe('forbidden');
  });

  it('OpenAPI documents the 403 second_factor_required on the role’s routes', async () => {
    const document = (await admin.get('/api/openapi.json')).json() as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const forbidden = JSON.stringify(document.paths['/api/admin/users']!.get!.responses['403']);
    expect(forbidden).toContain('second_factor_required');
    expect(forbidden).toContain('forbidden');
    expect(JSON.stringify(document.paths['/api/session']!.get!.responses)).not.toContain('second_factor_required');
  });

  it('a bad value stops start-up with one line naming the variable', () => {
    expect(configProblems({ MFA_REQUIRED_ROLES: 'Admin!' })).toEqual([
      'MFA_REQUIRED_ROLES="Admin!" is not valid: expected comma-separated role names (e.g. admin).',
    ]);
  });
});
