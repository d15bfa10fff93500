import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeimdallClient, needsSecondFactor } from '../../src/client/index.js';
import { generateTotp } from '../../src/core/totp.js';
import { browserFetch, type RecordedAnswer, startListeningApp } from '../helpers/client-harness.js';
import type { TestApp } from '../helpers/test-app.js';

const PASSWORD = 'correct horse battery staple';

interface Document {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
}

/** `/api/sessions/{id}` as a pattern for a concrete path; static segments first, as the router prefers them. */
function pathTemplates(document: Document) {
  return Object.keys(document.paths)
    .map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      dynamic: (template.match(/\{/g) ?? []).length,
    }))
    .sort((a, b) => a.dynamic - b.dynamic);
}

/**
 * Replays the main flows against a listening Heimdall and checks every answer's body against the response schema
 * the OpenAPI document gives for its path, method and status.
 */
describe('every answer of the main flows matches the OpenAPI document', () => {
  let app: TestApp & { url: string };
  let document: Document;
  const recorded: RecordedAnswer[] = [];

  beforeAll(async () => {
    app = await startListeningApp();
    document = (await (await fetch(`${app.url}/api/openapi.json`)).json()) as Document;
  });

  afterAll(async () => {
    await app.close();
  });

  const browser = () => {
    const fetcher = browserFetch(recorded);
    return { client: new HeimdallClient({ baseUrl: app.url, fetch: fetcher }), fetcher };
  };
  const fails = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.unreachable('should fail'),
      () => undefined,
    );

  it('replays register, login, session, CSRF, second factor, re-authentication, tokens, logout and errors', async () => {
    const { client, fetcher } = browser();
    await client.register({ email: 'ann@example.com', password: PASSWORD, name: 'Ann' });
    await client.getSession();
    await client.listSessions();
    await client.revokeOtherSessions();
    await client.listAudit(10);
    // CSRF: an unsafe call without the token.
    await fetcher(`${app.url}/api/sessions/revoke-others`, { method: 'POST' });
    // Second factor.
    const { secret } = await client.account.startTotp();
    await client.account.confirmTotp(generateTotp(secret, app.clock.now()));
    app.clock.advance(30_000);
    await client.account.recoveryCodeStatus();
    await client.logout();
    const first = await client.login({ email: 'ann@example.com', password: PASSWORD });
    expect(needsSecondFactor(first)).toBe(true);
    await fails(client.submitSecondFactor({ totp: '000000' }));
    await client.submitSecondFactor({ totp: generateTotp(secret, app.clock.now()) });
    // Re-authentication and tokens.
    app.clock.advance(app.config.reauthMaxAgeMs + 1_000);
    await fails(client.issueTokens());
    await fails(client.reauthenticate({ password: PASSWORD }));
    await client.reauthenticate({ totp: generateTotp(secret, app.clock.now()) });
    const pair = await client.issueTokens();
    await client.refreshTokens(pair.refreshToken);
    await fails(client.refreshTokens(pair.refreshToken));
    await fetcher(`${app.url}/api/session`, { headers: { authorization: 'Bearer not-a-token' } });
    // Errors: bad input, wrong password, taken email, unknown id, role check, unsupported media type.
    const other = browser().client;
    await fails(other.register({ email: 'ann@example.com', password: PASSWORD }));
    await fails(other.register({ email: 'x', password: PASSWORD }));
    await fails(other.login({ email: 'ann@example.com', password: 'wrong password here' }));
    await fails(client.revokeSession('no-such-session'));
    await fetcher(`${app.url}/api/demo/valhalla`);
    await fetcher(`${app.url}/api/auth/login`, {
      method: 'POST',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    await client.logoutEverywhere();
    await fails(client.getSession());
    await fetcher(`${app.url}/api/health`);
    await fetcher(`${app.url}/api/openapi.json`);
    await fetcher(`${app.url}/.well-known/jwks.json`);

    const statuses = new Set(recorded.map((r) => r.status));
    for (const status of [200, 201, 204, 400, 401, 403, 404, 409, 415])
      expect(statuses, String(status)).toContain(status);
  });

  it('checks each recorded answer against its documented schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema(document as object, 'openapi.json');
    const templates = pathTemplates(document);
    const failures: string[] = [];
    let checked = 0;
    for (const answer of recorded) {
      const template = templates.find((t) => t.pattern.test(answer.path))?.template;
      const where = `${answer.method} ${answer.path} ${answer.status}`;
      const responses = template ? document.paths[template]?.[answer.method.toLowerCase()]?.responses : undefined;
      const documented = responses?.[String(answer.status)];
      if (!documented) {
        failures.push(`${where}: status not documented`);
        continue;
      }
      if (answer.status === 204) {
        if (answer.body !== '') failures.push(`${where}: a body on 204`);
        continue;
      }
      const mediaType = answer.contentType.split(';')[0]!;
      if (!documented.content?.[mediaType]) {
        failures.push(`${where}: ${mediaType} is not documented`);
        continue;
      }
      if (mediaType !== 'application/json') continue;
      const pointer = `#/paths/${template!.replaceAll('~', '~0').replaceAll('/', '~1')}/${answer.method.toLowerCase()}/responses/${answer.status}/content/application~1json/schema`;
      const validate = ajv.compile({ $ref: `openapi.json${pointer}` });
      if (!validate(answer.body)) failures.push(`${where}: ${ajv.errorsText(validate.errors)}`);
      checked++;
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(25);
  });

  it('the schema check catches an answer that does not match', () => {
    const ajv = new Ajv({ strict: false, validateFormats: false });
    ajv.addSchema(document as object, 'openapi.json');
    const validate = ajv.compile({
      $ref: 'openapi.json#/paths/~1api~1session/get/responses/200/content/application~1json/schema',
    });
    const session = recorded.find((r) => r.path === '/api/session' && r.status === 200)!.body as Record<
      string,
      unknown
    >;
    expect(validate(session)).toBe(true);
    expect(validate({ ...session, user: { ...(session.user as object), roles: 'admin' } })).toBe(false);
    expect(validate({ ...session, csrfToken: undefined })).toBe(false);
  });
});
