import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const ERROR_BODY = { error: { code: expect.any(String), message: expect.any(String) } };

/**
 * Every answer keeps the API's error contract, including those the framework would otherwise give itself: an
 * undecodable URL, and a known path asked with a method it does not serve (outside security review, issue 15,
 * finding 6; API.md "Hosts, methods and limits").
 */
describe('framework-level refusals keep the error contract (ASVS 4.1.4, 16.5.1)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ HEIMDALL_SERVE_WEB_APP: 'true' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('a URL that cannot be decoded is 400 invalid_request in the usual body, with the usual headers', async () => {
    for (const url of ['/api/%E0%A4%A', '/api/sessions/%E0%A4%A', '/downloads/%C0%AF?token=x', '/%FF']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      expect(response.json(), url).toEqual(ERROR_BODY);
      expect(response.json().error.code, url).toBe('invalid_request');
      expect(response.body, url).not.toMatch(/FST_|statusCode/);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('an over-long path parameter is 400 invalid_request too, not the framework’s 414 body', async () => {
    const response = await t.app.inject({ method: 'DELETE', url: `/api/sessions/${'x'.repeat(300)}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_request');
  });

  it('a known path with another method is 405 method_not_allowed with every method it serves in Allow', async () => {
    const cases: [string, string, string][] = [
      ['PATCH', '/api/session', 'GET, HEAD'],
      ['POST', '/api/session', 'GET, HEAD'],
      ['GET', '/api/auth/login', 'POST'],
      ['PUT', '/api/sessions/abc', 'DELETE'],
      ['DELETE', '/api/admin/users/abc/roles', 'PUT'],
      ['POST', '/api/admin/users/abc/sessions', 'GET, HEAD, DELETE'],
      ['DELETE', '/auth/verify', 'GET, HEAD'],
      ['POST', '/downloads/mead-recipes', 'GET, HEAD'],
      ['DELETE', '/', 'GET, HEAD'],
    ];
    for (const [method, url, allow] of cases) {
      const response = await t.app.inject({ method: method as 'GET', url });
      expect(response.statusCode, `${method} ${url}`).toBe(405);
      expect(response.headers.allow, `${method} ${url}`).toBe(allow);
      expect(response.json(), `${method} ${url}`).toEqual(ERROR_BODY);
      expect(response.json().error.code).toBe('method_not_allowed');
    }
  });

  it('unknown paths stay 404, whatever the method, and the web app’s fallback does not make every path known', async () => {
    for (const [method, url] of [
      ['GET', '/api/nope'],
      ['POST', '/api/nope'],
      ['POST', '/devices'],
      ['POST', '/api/sessions/abc/extra'],
    ]) {
      const response = await t.app.inject({ method: method as 'GET', url, headers: { accept: 'application/json' } });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json().error.code).toBe('not_found');
      expect(response.headers.allow).toBeUndefined();
    }
  });
});
