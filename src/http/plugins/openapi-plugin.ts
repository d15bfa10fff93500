import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { isUnsafeMethod } from '../../auth/request-facts.js';
import type { Config } from '../../config/config.js';
import { secondFactorCookie } from '../ceremony-cookies.js';
import { hoistSharedSchemas } from '../openapi-components.js';
import { errorCodesOf, errorResponses } from '../openapi-errors.js';
import { OPERATIONS, type OperationAuth, TAGS } from '../openapi-operations.js';
import { ANY_HOST_ROUTES } from './host-check-plugin.js';

const PACKAGE = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  description: string;
  license: string;
};

const SESSION = [{ session: [] }, { bearer: [] }];
/** Each requirement is one way in; `{}` is "none needed". */
const SECURITY: Record<OperationAuth, object[]> = {
  public: [],
  session: SESSION,
  'optional-session': [...SESSION, {}],
  'session-or-password': [{ session: [] }, {}],
  'pending-sign-in': [{ secondFactor: [] }],
  'device-session': [{ session: [] }],
  'download-token': [],
  'metrics-token': [{ metricsToken: [] }],
};

const DESCRIPTIONS: Partial<Record<OperationAuth, string>> = {
  'session-or-password':
    'Either a cookie session that proved a factor recently (no body), or `{email, password}` (plus `totp` or ' +
    '`recoveryCode` for an account with a second factor) and no session at all.',
  'optional-session': 'Answers 204 with or without a live session; with one, it is ended.',
  'device-session':
    'Called by the browser itself (W3C DBSC), with the session cookie and no CSRF token: the ES256 proof in ' +
    '`Secure-Session-Response`, over a challenge only this session was given, stands in for it. A refresh without ' +
    'a proof answers 403 with `Secure-Session-Challenge`. 404 when DBSC=off.',
  'download-token': 'The signed link from POST /api/downloads/{productId}/link: its `token` is the only credential.',
};

/** API.md: unsafe methods of a cookie session carry its CSRF token (not needed with a Bearer token). */
const CSRF_HEADER = {
  type: 'object',
  properties: {
    'x-csrf-token': {
      type: 'string',
      description: 'The `csrfToken` of GET /api/session: required with a cookie session, not with a Bearer token.',
    },
  },
};

/** W3C DBSC: what the browser sends to the registration and refresh endpoints instead of a CSRF token. */
const DBSC_HEADERS = {
  type: 'object',
  properties: {
    'secure-session-response': {
      type: 'string',
      description: 'The proof: an ES256 JWT (`typ` `dbsc+jwt`) over the challenge, as a structured-field string.',
    },
    'sec-secure-session-id': { type: 'string', description: 'Refresh only: the session id being refreshed.' },
  },
};

/** Success answers that are not JSON, described for the document only (the routes send streams). */
const DOCUMENT_RESPONSES: Record<string, Record<number, object>> = {
  'GET /downloads/{productId}': {
    200: {
      description: 'The file (`content-disposition: attachment`)',
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    },
  },
  'GET /api/events': {
    200: {
      description:
        'Server-Sent Events `session.revoked`, `roles.changed`, `message` and `security.warning`, each with JSON data',
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    },
  },
};

/**
 * What an answer of a route's own status means, for the document (@fastify/swagger would write "Default Response"):
 * taken from `x-response-description`, which it moves out of the schema. A schema with its own description keeps it.
 */
const STATUS_DESCRIPTIONS: Record<string, string> = {
  200: 'Success: the body below',
  201: 'Created: the body below describes what was made',
  202: 'Accepted: the rest (a mail, a pushed message) happens after the answer, and the answer is the same whether or not it does',
  204: 'Done; no body',
  302: 'A redirect: `Location` says where',
  304: 'Not modified: the `If-None-Match` ETag is still current',
  503: 'Unavailable: the body says which check failed (or that the instance is draining)',
};

function describeOwnResponses(own: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(own).map(([status, schema]) => {
      const given = schema as { description?: unknown };
      const text = STATUS_DESCRIPTIONS[status];
      return [status, given.description || !text ? schema : { ...given, 'x-response-description': text }];
    }),
  );
}

/** A body schema that admits `null` may be left out altogether (API.md: a POST without a body needs no type). */
function markOptionalBodies(document: Record<string, unknown>): Record<string, unknown> {
  type Operation = {
    requestBody?: { required?: boolean; content?: Record<string, { schema?: { anyOf?: object[] } }> };
  };
  for (const operations of Object.values((document.paths ?? {}) as Record<string, Record<string, Operation>>)) {
    for (const operation of Object.values(operations)) {
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      const nullable = schema?.anyOf?.some((s) => (s as { type?: string }).type === 'null');
      if (operation.requestBody && nullable) operation.requestBody.required = false;
    }
  }
  return document;
}

/**
 * OpenAPI 3.1 generated from the routes' own TypeBox schemas (@fastify/swagger collects them as routes register,
 * so this must be installed before any route). Error responses are added to the document only — never to the
 * routes' serializers — from each route's method, schema, guards and declared errorCodes; names, summaries and
 * security come from openapi-operations.ts.
 */
export async function installOpenApi(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Heimdall',
        version: PACKAGE.version,
        description: PACKAGE.description,
        license: { name: PACKAGE.license, identifier: PACKAGE.license },
      },
      servers: [{ url: config.publicUrl }],
      tags: TAGS.map((tag) => ({ ...tag })),
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: config.cookieName,
            description: 'The session cookie. Unsafe methods also need the `x-csrf-token` header.',
          },
          bearer: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'An access token (POST /api/tokens).',
          },
          secondFactor: {
            type: 'apiKey',
            in: 'cookie',
            name: secondFactorCookie.name(config),
            description: 'Set by POST /api/auth/login when the account has a second factor (5 minutes, single use).',
          },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN.' },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const methods = [route.method].flat();
      const openApiPath = url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const operation = OPERATIONS.get(`${methods[0]} ${openApiPath}`);
      const codes = methods.flatMap((method) => errorCodesOf(method, route));
      // The host check runs before every route but the probes (DNS-rebinding defence).
      if (!ANY_HOST_ROUTES.has(url)) codes.push('misdirected_request');
      const given = (schema ?? {}) as Record<string, unknown>;
      const own = describeOwnResponses((given.response ?? {}) as Record<string, unknown>);
      // A status the route documents itself (the health checks' 503) keeps its own schema.
      const key = `${methods[0]} ${openApiPath}`;
      const response = { ...errorResponses(codes), ...own, ...DOCUMENT_RESPONSES[key] };
      const auth = operation?.auth;
      const csrf = auth !== undefined && auth in { session: 1, 'optional-session': 1, 'session-or-password': 1 };
      const described = {
        ...given,
        response,
        ...(operation
          ? {
              operationId: operation.operationId,
              summary: operation.summary,
              tags: [operation.tag],
              security: SECURITY[operation.auth],
              ...(DESCRIPTIONS[operation.auth] ? { description: DESCRIPTIONS[operation.auth] } : {}),
            }
          : {}),
        ...(csrf && methods.some(isUnsafeMethod) && !given.headers ? { headers: CSRF_HEADER } : {}),
        ...(auth === 'device-session' && !given.headers ? { headers: DBSC_HEADERS } : {}),
      };
      return { schema: described as typeof schema, url };
    },
  });
}

/** The generated document (after `ready()`), with the shared schemas in `components.schemas`. */
export function openApiDocument(app: FastifyInstance): Record<string, unknown> {
  return markOptionalBodies(hoistSharedSchemas(app.swagger() as unknown as Record<string, unknown>));
}
