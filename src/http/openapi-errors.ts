import type { RouteOptions } from 'fastify';
import { isUnsafeMethod } from '../auth/request-facts.js';
import type { ErrorCode } from '../core/errors.js';
import { ERROR_CATALOGUE } from '../core/errors.js';

/**
 * Error codes a route answers with beyond those its schema and guards imply: what its handler decides. Keyed
 * `METHOD /path` as Fastify registers it. A route missing here still gets the generic codes; one listed here but no
 * longer registered is caught by the OpenAPI test.
 */
export const ROUTE_ERRORS: Readonly<Record<string, readonly ErrorCode[]>> = {
  'POST /api/auth/register': ['forbidden', 'weak_password', 'email_taken', 'rate_limited'],
  'POST /api/auth/login': ['invalid_credentials', 'rate_limited'],
  'POST /api/auth/password': ['invalid_credentials', 'weak_password', 'rate_limited'],
  'DELETE /api/sessions/:id': ['not_found'],
  'PUT /api/admin/users/:id/roles': ['not_found'],
  'GET /api/admin/users/:id/sessions': ['not_found'],
  'DELETE /api/admin/users/:id/sessions': ['not_found'],
  'DELETE /api/admin/sessions/:id': ['not_found'],
  'POST /api/oidc/:provider/link': ['not_found'],
  'DELETE /api/oidc/identities/:id': ['not_found'],
  'POST /api/tokens': ['invalid_credentials', 'rate_limited', 'forbidden', 'unauthenticated'],
  'POST /api/tokens/refresh': ['unauthenticated', 'token_reused', 'rate_limited'],
  'POST /api/tokens/revoke': ['rate_limited'],
  'POST /api/products/:id/purchase': ['not_found'],
  'POST /api/downloads/:productId/link': ['not_found', 'forbidden'],
  'GET /downloads/:productId': ['unauthenticated', 'token_expired', 'not_found'],
  'GET /auth/verify': ['unauthenticated', 'token_expired', 'csrf_failed', 'forbidden'],
  'GET /metrics': ['unauthenticated'],
};

type GuardLike = { errorCodes?: readonly ErrorCode[] };

/** Every code a route can answer with: from its method and schema, its guards, and ROUTE_ERRORS. */
export function errorCodesOf(method: string, url: string, route: Pick<RouteOptions, 'schema' | 'preHandler'>) {
  const codes = new Set<ErrorCode>(['internal_error', 'service_unavailable']);
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  if (schema.body || schema.querystring || schema.params) codes.add('invalid_request');
  if (schema.body) {
    codes.add('payload_too_large');
    codes.add('unsupported_media_type');
  }
  // Heimdall's Origin and Fetch Metadata checks run before every unsafe request.
  if (isUnsafeMethod(method)) codes.add('csrf_failed');
  for (const hook of [route.preHandler ?? []].flat() as GuardLike[])
    for (const c of hook.errorCodes ?? []) codes.add(c);
  for (const c of ROUTE_ERRORS[`${method} ${url}`] ?? []) codes.add(c);
  return [...codes];
}

/** OpenAPI responses for error codes, one per status, each listing its codes in `error.code`'s enum. */
export function errorResponses(codes: readonly ErrorCode[]): Record<string, object> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const { status } = ERROR_CATALOGUE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, object> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: list.map((c) => `\`${c}\`: ${ERROR_CATALOGUE[c].message}`).join(' '),
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: { code: { type: 'string', enum: list }, message: { type: 'string' } },
          additionalProperties: true,
        },
      },
      ...(status === 429 ? { headers: { 'retry-after': { type: 'integer', description: 'seconds' } } } : {}),
    };
  }
  return responses;
}
