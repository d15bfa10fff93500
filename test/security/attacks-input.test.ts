import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, PASSWORD, signedUpClient, type TestApp } from '../helpers/test-app.js';

/** Hostile bodies: every one gets a documented 4xx, never a 500, and leaves nothing behind. */
describe('input attacks', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp();
  });

  afterEach(async () => {
    await t.close();
  });

  const register = (payload: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    t.app.inject({ method: 'POST', url: '/api/auth/register', headers, payload });

  it('prototype pollution through __proto__ or constructor.prototype is refused', async () => {
    for (const payload of [
      `{"email":"a@b.io","password":"${PASSWORD}","__proto__":{"roles":["admin"]}}`,
      `{"email":"a@b.io","password":"${PASSWORD}","constructor":{"prototype":{"isAdmin":true}}}`,
    ]) {
      const response = await register(payload);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('invalid_request');
    }
    expect(({} as Record<string, unknown>).roles).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect((await t.app.inject({ url: '/api/health' })).statusCode).toBe(200);
  });

  it('a body over 16 KiB is refused with 413', async () => {
    const response = await register(JSON.stringify({ email: 'a@b.io', password: PASSWORD, name: 'x'.repeat(17_000) }));
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('payload_too_large');
  });

  it('a body that is not JSON is refused with 415, whatever it claims to be', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
    ]) {
      const response = await register('email=a@b.io&password=x', { 'content-type': type });
      expect(response.statusCode, type).toBe(415);
      expect(response.json().error.code).toBe('unsupported_media_type');
    }
  });

  it('malformed JSON, wrong types and missing fields are 400 invalid_request with the field named', async () => {
    expect((await register('{"email":')).json().error.code).toBe('invalid_request');
    const wrongType = await register(JSON.stringify({ email: 42, password: PASSWORD }));
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error.message).toMatch(/email/);
    const missing = await register(JSON.stringify({ email: 'a@b.io' }));
    expect(missing.json().error.message).toMatch(/password/);
    const array = await register('[]');
    expect(array.statusCode).toBe(400);
    const empty = await register('');
    expect(empty.statusCode).toBe(400);
  });

  it('an invalid email is refused and no account is made', async () => {
    const response = await register(JSON.stringify({ email: 'not-an-email', password: PASSWORD }));
    expect(response.statusCode).toBe(400);
    const admin = await signedUpClient(t.app, 'admin@asgard.example');
    expect((await admin.get('/api/admin/users')).json().users).toHaveLength(1);
  });

  it('oversized fields inside the limit are refused by schema, not by a crash', async () => {
    const response = await register(JSON.stringify({ email: `${'a'.repeat(400)}@b.io`, password: PASSWORD }));
    expect(response.statusCode).toBe(400);
    const longPassword = await register(JSON.stringify({ email: 'a@b.io', password: 'p'.repeat(1025) }));
    expect(longPassword.statusCode).toBe(400);
  });

  it('hostile path parameters and query strings are answered with 4xx', async () => {
    const admin = await signedUpClient(t.app, 'admin@asgard.example');
    for (const url of [
      '/api/admin/users/..%2F..%2Fetc/sessions',
      `/api/admin/users/${'x'.repeat(300)}/sessions`,
      '/api/admin/users?limit=-1',
      '/api/admin/users?limit=abc',
      '/api/admin/users?unknown=1',
      `/api/admin/users?query=${'q'.repeat(200)}`,
    ]) {
      const response = await admin.get(url);
      expect(response.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, url).toBeLessThan(500);
    }
  });

  it('unknown routes answer 404, and a known path with another method 405, with the error body', async () => {
    const unknown = await t.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'not_found']);
    const response = await t.app.inject({ method: 'PATCH', url: '/api/session' });
    expect(response.statusCode).toBe(405);
    expect(response.json().error.code).toBe('method_not_allowed');
  });
});
