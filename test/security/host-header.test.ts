import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config.js';
import { createTestApp, PASSWORD, type TestApp } from '../helpers/test-app.js';
import { testConfig } from '../helpers/test-config.js';
import { errorCode } from './attack-helpers.js';

const REGISTER = { email: 'mallory@rebind.example', password: PASSWORD };

/**
 * DNS rebinding: a page on the attacker's site points its own host name at 127.0.0.1 and then talks to a fresh
 * Heimdall there as same-origin, for instance to register the first account (which becomes admin). The browser
 * still sends the attacker's host name in `Host`, so Heimdall answers only for its own names (outside security
 * review, issue 15, finding 5; API.md "Hosts, methods and limits").
 */
describe('requests for a host name that is not Heimdall’s get 421 misdirected_request (ASVS 3.5.1, 4.1.3)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const send = (app: TestApp, host: string, url = '/api/session', extra: Record<string, string> = {}) =>
    app.app.inject({ method: 'GET', url, headers: { host, ...extra } });

  it('a rebinding page cannot claim the first-user admin of a fresh instance', async () => {
    t = await createTestApp();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      headers: { host: 'rebind.attacker.example:3000', origin: 'http://rebind.attacker.example:3000' },
      payload: REGISTER,
    });
    expect([response.statusCode, errorCode(response)]).toEqual([421, 'misdirected_request']);
    expect((await t.services.users.list({ limit: 10 })).users).toEqual([]);
  });

  it('every route outside the probes refuses a foreign host, with the usual error body', async () => {
    t = await createTestApp();
    for (const url of ['/api/session', '/api/openapi.json', '/auth/verify', '/downloads/mead-recipes', '/', '/nope']) {
      const response = await send(t, 'evil.example', url);
      expect(response.statusCode, url).toBe(421);
      expect(response.json(), url).toEqual({
        error: { code: 'misdirected_request', message: expect.any(String) },
      });
    }
  });

  it('loopback literals on any port and the public URL’s host are Heimdall’s own', async () => {
    t = await createTestApp();
    for (const host of ['localhost', 'localhost:3000', 'LOCALHOST:1', '127.0.0.1', '127.0.0.1:8080', '[::1]:1234']) {
      expect((await send(t, host)).statusCode, host).toBe(401);
    }
    for (const host of ['127.0.0.2', 'localhost.evil.example', 'evil.example:3000', '[::2]', 'localhost:80:80']) {
      expect((await send(t, host)).statusCode, host).toBe(421);
    }
  });

  it('the /api/health and /api/ready probes answer any host (load balancers probe by address)', async () => {
    t = await createTestApp();
    for (const url of ['/api/health', '/api/ready']) expect((await send(t, '10.1.2.3:3000', url)).statusCode).toBe(200);
  });

  it('HEIMDALL_PUBLIC_URL, HEIMDALL_ORIGINS and HEIMDALL_ALLOWED_HOSTS name the other allowed hosts', async () => {
    t = await createTestApp({
      HEIMDALL_PUBLIC_URL: 'https://auth.asgard.example',
      HEIMDALL_ORIGINS: 'https://app.asgard.example',
      HEIMDALL_ALLOWED_HOSTS: 'heimdall.internal, 10.0.0.5',
    });
    for (const host of [
      'auth.asgard.example',
      'auth.asgard.example:443',
      'Auth.Asgard.Example.',
      'app.asgard.example',
      'heimdall.internal:3000',
      '10.0.0.5',
      'localhost:3000',
    ]) {
      expect((await send(t, host)).statusCode, host).toBe(401);
    }
    for (const host of ['asgard.example', 'evil.auth.asgard.example', 'heimdall.internal.evil.example']) {
      expect((await send(t, host)).statusCode, host).toBe(421);
    }
  });

  it('behind a trusted proxy the forwarded host is judged; without TRUST_PROXY it is ignored', async () => {
    t = await createTestApp({ TRUST_PROXY: 'loopback', HEIMDALL_PUBLIC_URL: 'https://auth.asgard.example' });
    const forwarded = (host: string) => send(t!, '10.0.0.7:3000', '/api/session', { 'x-forwarded-host': host });
    expect((await forwarded('auth.asgard.example')).statusCode).toBe(401);
    expect((await forwarded('evil.example')).statusCode).toBe(421);
    await t.close();
    t = await createTestApp({ HEIMDALL_PUBLIC_URL: 'https://auth.asgard.example' });
    const spoofed = await send(t, 'evil.example', '/api/session', { 'x-forwarded-host': 'auth.asgard.example' });
    expect(spoofed.statusCode).toBe(421);
  });

  it('HEIMDALL_ALLOWED_HOSTS takes host names only, and says so at start', () => {
    expect(() => testConfig({ HEIMDALL_ALLOWED_HOSTS: 'https://auth.example/' })).toThrow(ConfigError);
    expect(() => testConfig({ HEIMDALL_ALLOWED_HOSTS: 'a b.example' })).toThrow(/HEIMDALL_ALLOWED_HOSTS/);
    expect(testConfig({ HEIMDALL_ALLOWED_HOSTS: 'Heimdall.Internal,[::1],10.0.0.5' }).allowedHosts).toEqual([
      'heimdall.internal',
      '[::1]',
      '10.0.0.5',
    ]);
  });
});
