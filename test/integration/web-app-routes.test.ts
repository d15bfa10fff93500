import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { BUNDLED_WEB_DIR } from '../../src/http/plugins/web-app-plugin.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { requireBuiltWebApp } from '../helpers/web-servers.js';

let testApp: TestApp | undefined;
beforeAll(() => requireBuiltWebApp());
afterEach(async () => {
  await testApp?.close();
  testApp = undefined;
});

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('the web app served at /', () => {
  it('serves index.html under the strict CSP, with no inline script or style to exempt', async () => {
    testApp = await createTestApp();
    const response = await testApp.app.inject({ method: 'GET', url: '/', headers: HTML });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers['cache-control']).toBe('no-cache');
    // Every <script> has a src and no body; no <style> element and no style="" attribute at all.
    const scripts = [...response.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body!.trim()).toBe('');
    }
    expect(response.body).not.toMatch(/<style\b|\sstyle=/);
  });

  it('answers deep links that ask for HTML with the app, so reloading /devices works', async () => {
    testApp = await createTestApp();
    for (const url of ['/devices', '/admin', '/signin?error=access_denied']) {
      const response = await testApp.app.inject({ method: 'GET', url, headers: HTML });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('<div id="root">');
    }
  });

  it('keeps JSON 404s for /api and for anything that does not ask for HTML', async () => {
    testApp = await createTestApp();
    for (const [url, headers] of [
      ['/api/nothing-here', HTML],
      ['/api', HTML],
      ['/devices', { accept: 'application/json' }],
      ['/assets/missing.js', { accept: '*/*' }],
    ] as const) {
      const response = await testApp.app.inject({ method: 'GET', url, headers });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('not_found');
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('lets browsers cache the content-hashed assets for good', async () => {
    testApp = await createTestApp();
    const [script] = readdirSync(join(BUNDLED_WEB_DIR, 'assets')).filter((f) => f.endsWith('.js'));
    const response = await testApp.app.inject({ method: 'GET', url: `/assets/${script}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body).toBe(readFileSync(join(BUNDLED_WEB_DIR, 'assets', script!), 'utf8'));
  });

  it('serves only the API when HEIMDALL_SERVE_WEB_APP=false', async () => {
    testApp = await createTestApp({ HEIMDALL_SERVE_WEB_APP: 'false' });
    const response = await testApp.app.inject({ method: 'GET', url: '/', headers: HTML });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('not_found');
  });
});

describe('live push settings', () => {
  it('reads the heartbeat interval from EVENTS_HEARTBEAT_INTERVAL and rejects nonsense', () => {
    expect(loadConfig({}).eventsHeartbeatMs).toBe(25_000);
    expect(loadConfig({ EVENTS_HEARTBEAT_INTERVAL: '10s' }).eventsHeartbeatMs).toBe(10_000);
    expect(() => loadConfig({ EVENTS_HEARTBEAT_INTERVAL: 'often' })).toThrow(/EVENTS_HEARTBEAT_INTERVAL/);
  });
});
