import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, LAST_ACTIVE_ADMIN_OVERRIDE } from '../../src/core/errors.js';
import { listRoutes, type RouteEntry } from '../fuzz/route-list.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: ErrorSchema }> }>;
  security?: unknown[];
}
interface ErrorSchema {
  properties?: { error?: { properties?: { code?: { enum?: string[] } } } };
}

/** `/api/sessions/:id` as OpenAPI writes it (and a wildcard as @fastify/swagger does). */
const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace('*', '{*}');

/**
 * The web app's built files (and `/` for its index.html): @fastify/static registers one route per file and hides them
 * from the document on purpose — they are files, not API.
 */
function webAppFileRoutes(): Set<string> {
  const dir = fileURLToPath(new URL('../../web/dist/', import.meta.url));
  if (!existsSync(dir)) return new Set();
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `/${relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/')}`);
  // And its catch-all for deep links (index.html), hidden the same way.
  return new Set(['/', '/{*}', ...files].map((path) => `get ${path}`));
}

describe('OpenAPI at /api/openapi.json, generated from the route schemas', () => {
  let t: TestApp;
  let document: { openapi: string; paths: Record<string, Record<string, Operation>> };
  let routes: RouteEntry[];

  beforeAll(async () => {
    // Every optional route on, so that all of them are checked.
    t = await createTestApp({ METRICS_TOKEN: 'metrics-token-metrics-token-metrics-token' });
    const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    document = response.json();
    routes = listRoutes(t.app).filter((r) => r.method !== 'OPTIONS');
  });

  afterAll(async () => {
    await t.close();
  });

  it('is an OpenAPI 3.1 document', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).length).toBeGreaterThan(25);
  });

  it('documents every registered route, and nothing that is not one', () => {
    expect(routes.length).toBeGreaterThan(25);
    const files = webAppFileRoutes();
    const registered = new Set(
      routes.map((r) => `${r.method.toLowerCase()} ${toOpenApiPath(r.url)}`).filter((r) => !files.has(r)),
    );
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((m) => `${m} ${path}`),
      ),
    );
    expect(
      [...registered].filter((r) => !documented.has(r)),
      'undocumented routes',
    ).toEqual([]);
    expect(
      [...documented].filter((d) => !registered.has(d)),
      'documented but not registered',
    ).toEqual([]);
  });

  it('every documented error code is in core/errors.ts, under its own status', () => {
    let checked = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue;
          const codes = response.content?.['application/json']?.schema.properties?.error?.properties?.code?.enum;
          // The health checks document their own 503 body.
          if (!codes) continue;
          for (const code of codes) {
            const entry = ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE];
            expect(entry, `${method} ${path}: ${code}`).toBeDefined();
            // The one documented override: the last-active-admin refusal is 409 invalid_request (API.md).
            const overridden = Number(status) === LAST_ACTIVE_ADMIN_OVERRIDE.status && code === 'invalid_request';
            if (!overridden) expect(entry.status, `${method} ${path}: ${code}`).toBe(Number(status));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('documents what the guards and handlers answer: session routes 401, role routes 403, CSRF on unsafe routes', () => {
    const codesOf = (path: string, method: string, status: string) =>
      document.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema.properties?.error
        ?.properties?.code?.enum ?? [];
    expect(codesOf('/api/session', 'get', '401')).toEqual(['unauthenticated', 'token_expired']);
    expect(codesOf('/api/demo/valhalla', 'get', '403')).toEqual(expect.arrayContaining(['forbidden']));
    expect(codesOf('/api/sessions/revoke-others', 'post', '403')).toEqual(['csrf_failed']);
    expect(codesOf('/api/auth/register', 'post', '409')).toEqual(['email_taken']);
    expect(codesOf('/auth/verify', 'get', '403')).toEqual(['csrf_failed', 'forbidden']);
    expect(document.paths['/api/session']?.get?.security).toEqual([{ session: [] }, { bearer: [] }]);
  });

  it('documents the error codes a route declares beside its handler (config.errorCodes)', () => {
    const codesOf = (path: string, method: string, status: string) =>
      document.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema.properties?.error
        ?.properties?.code?.enum ?? [];
    expect(codesOf('/api/tokens/refresh', 'post', '401')).toEqual(['unauthenticated', 'token_reused']);
    expect(codesOf('/downloads/{productId}', 'get', '404')).toEqual(['not_found']);
    expect(codesOf('/api/auth/login', 'post', '429')).toEqual(['rate_limited']);
  });

  it('documents the last-active-admin refusal as 409 invalid_request where it can happen (config.errorCodes)', () => {
    const codesOf = (path: string, method: string, status: string) =>
      document.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema.properties?.error
        ?.properties?.code?.enum ?? [];
    const routes: [string, string][] = [
      ['/api/admin/users/{id}/roles', 'put'],
      ['/api/admin/users/{id}/disable', 'post'],
      ['/api/admin/users/{id}', 'delete'],
      ['/api/account', 'delete'],
    ];
    for (const [path, method] of routes) {
      expect(codesOf(path, method, '409'), `${method} ${path}`).toEqual(['invalid_request']);
      expect(codesOf(path, method, '403'), `${method} ${path}`).toContain('reauthentication_required');
    }
    expect(codesOf('/api/auth/password/reset', 'post', '400')).toEqual(
      expect.arrayContaining(['invalid_request', 'invalid_token', 'weak_password']),
    );
  });
});
