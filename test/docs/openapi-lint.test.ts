import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installOpenApi } from '../../src/http/plugins/openapi-plugin.js';
import { installWebApp } from '../../src/http/plugins/web-app-plugin.js';
import { ROOT } from '../helpers/heimdall-process.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { testConfig } from '../helpers/test-config.js';

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string }[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { in?: string; name?: string }> };
};
interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer: string }[];
}

/** Warnings that describe Heimdall as it is: the probes never answer 4xx, and sign-on answers with redirects. */
const KNOWN_WARNINGS = [
  'operation-4xx-response #/paths/~1api~1health/get/responses',
  'operation-4xx-response #/paths/~1api~1ready/get/responses',
  'operation-2xx-response #/paths/~1api~1oidc~1{provider}~1start/get/responses',
  'operation-2xx-response #/paths/~1api~1oidc~1{provider}~1callback/get/responses',
];

/** Redocly CLI (its bundle does not export openapi-core) with the repository's redocly.yaml: `recommended`. */
async function lint(document: object): Promise<LintProblem[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'heimdall-openapi-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(document));
  const cli = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
  const args = [
    cli,
    'lint',
    file,
    '--config',
    join(ROOT, 'redocly.yaml'),
    '--format',
    'json',
    '--max-problems',
    '1000',
  ];
  const run = await promisify(execFile)(process.execPath, args, { cwd: ROOT }).catch(
    (failed: { stdout: string }) => failed,
  );
  return (JSON.parse(run.stdout) as { problems: LintProblem[] }).problems;
}

describe('the OpenAPI document passes swagger-parser and Redocly', () => {
  let t: TestApp;
  let document: Document;
  const operations = () =>
    Object.entries(document.paths).flatMap(([path, ops]) => Object.entries(ops).map(([m, op]) => ({ path, m, op })));

  beforeAll(async () => {
    t = await createTestApp({
      METRICS_TOKEN: 'metrics-token-metrics-token-metrics-token',
      // Redocly warns about example.com and localhost servers.
      HEIMDALL_PUBLIC_URL: 'https://auth.heimdall.test',
    });
    document = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  });

  afterAll(async () => {
    await t.close();
  });

  it('is valid for swagger-parser', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it("has 0 errors under Redocly's recommended rules, and only the known warnings", async () => {
    const problems = await lint(document);
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`);
    expect(errors).toEqual([]);
    const warnings = problems.filter((p) => p.severity === 'warn').map((p) => `${p.ruleId} ${p.location[0]?.pointer}`);
    expect(warnings.sort()).toEqual([...KNOWN_WARNINGS].sort());
  });

  it('Redocly does find errors in a broken document (the lint really runs)', async () => {
    const broken = structuredClone(document);
    delete broken.paths['/api/session']?.get?.operationId;
    delete broken.paths['/api/session']?.get?.summary;
    const errors = (await lint(broken)).filter((p) => p.severity === 'error');
    expect(errors.map((e) => e.ruleId)).toContain('operation-summary');
  });

  it('names, summarises and tags every operation, with unique operationIds', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(60);
    for (const { path, m, op } of ops) {
      expect(op.operationId, `${m} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.summary, `${m} ${path}`).toBeTruthy();
      expect(op.tags?.length, `${m} ${path}`).toBe(1);
      expect(op.security, `${m} ${path}`).toBeDefined();
    }
    expect(new Set(ops.map((o) => o.op.operationId)).size).toBe(ops.length);
  });

  it('declares the cookie and Bearer schemes, and applies them per operation', () => {
    expect(document.components.securitySchemes.session).toMatchObject({ in: 'cookie', name: '__Host-heimdall' });
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const op = (path: string, method: string) => document.paths[path]![method]!;
    expect(op('/api/session', 'get').security).toEqual([{ session: [] }, { bearer: [] }]);
    for (const [path, method] of [
      ['/api/auth/login', 'post'],
      ['/api/auth/register', 'post'],
      ['/api/health', 'get'],
      ['/api/auth/passkey', 'post'],
      ['/api/tokens/refresh', 'post'],
    ] as const) {
      expect(op(path, method).security, `${method} ${path}`).toEqual([]);
    }
    expect(op('/api/auth/login/second-factor', 'post').security).toEqual([{ secondFactor: [] }]);
  });

  it('describes x-csrf-token on the unsafe cookie-session methods only, and the DBSC proof where it stands in', () => {
    const hasHeader = (op: Operation, name: string) =>
      (op.parameters ?? []).some((p) => p.in === 'header' && p.name === name);
    for (const { path, m, op } of operations()) {
      const cookieSession = (op.security ?? []).some((r) => 'session' in r);
      const unsafe = !['get', 'head', 'options'].includes(m);
      const deviceBinding = path.startsWith('/api/dbsc/');
      expect(hasHeader(op, 'x-csrf-token'), `${m} ${path}`).toBe(cookieSession && unsafe && !deviceBinding);
      expect(hasHeader(op, 'secure-session-response'), `${m} ${path}`).toBe(deviceBinding);
    }
  });

  it('documents downloads as taking ?token= with a 200 file, and tokens as taking a session or a password', () => {
    const download = document.paths['/downloads/{productId}']!.get!;
    expect(download.security).toEqual([]);
    expect(download.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'query', name: 'token' })]),
    );
    expect(Object.keys(download.responses['200']?.content ?? {})).toEqual(['application/octet-stream']);
    expect(document.paths['/api/tokens']!.post!.security).toEqual([{ session: [] }, {}]);
  });

  it('documents the event stream as text/event-stream, and bodies that may be left out as optional', () => {
    const events = document.paths['/api/events']!.get!;
    expect(Object.keys(events.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    const body = (path: string) => (document.paths[path]!.post as { requestBody?: { required?: boolean } }).requestBody;
    expect(body('/api/tokens')?.required).toBe(false);
    expect(body('/api/auth/logout-everywhere')?.required).toBe(false);
    expect(body('/api/auth/login')?.required).toBe(true);
  });

  it("describes every answer, and none with @fastify/swagger's placeholder or the extension it is made from", () => {
    for (const { path, m, op } of operations()) {
      for (const [status, answer] of Object.entries(op.responses)) {
        const description = (answer as { description?: string }).description;
        expect(description, `${m} ${path} ${status}`).toBeTruthy();
        expect(description, `${m} ${path} ${status}`).not.toBe('Default Response');
      }
    }
    expect(JSON.stringify(document)).not.toContain('x-response-description');
    expect(document.paths['/api/auth/logout']!.post!.responses['204']).toMatchObject({ description: 'Done; no body' });
  });

  it('keeps shared schemas in components.schemas and refers to them', () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['User', 'Session', 'TokenPair', 'Passkey', 'AuditEvent', 'Product']),
    );
    const text = JSON.stringify(document.paths);
    for (const name of ['User', 'Session', 'ListedSession', 'TokenPair', 'SecondFactorRequired']) {
      expect(text, name).toContain(`"#/components/schemas/${name}"`);
    }
  });

  it('documents no path of the web app (its catch-all is hidden)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'heimdall-web-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
    const app = Fastify();
    await installOpenApi(app, testConfig());
    expect(await installWebApp(app, dir)).toBe(true);
    await app.ready();
    const paths = Object.keys((app.swagger() as { paths?: object }).paths ?? {});
    expect(paths.filter((p) => !p.startsWith('/api'))).toEqual([]);
    await app.close();
  });
});
