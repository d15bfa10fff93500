import type { RouteOptions } from 'fastify';
import { isUnsafeMethod } from '../auth/request-facts.js';
import type { ErrorCode } from '../core/errors.js';
import { ERROR_CATALOGUE } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Error codes a route answers with beyond those its schema and guards imply: what its handler decides. Declared
     * on the route itself (`config: { errorCodes: [...] }`); OpenAPI documents them, the serializers never see them.
     */
    errorCodes?: readonly ErrorCode[];
    /** A code answered with a status other than the catalogue's (the last-active-admin refusal: 409). */
    errorOverrides?: readonly ErrorOverride[];
  }
}

export interface ErrorOverride {
  code: ErrorCode;
  status: number;
}

type GuardLike = { errorCodes?: readonly ErrorCode[] };

/** Every code a route can answer with: from its method and schema, its guards, and its declared errorCodes. */
export function errorCodesOf(method: string, route: Pick<RouteOptions, 'schema' | 'preHandler' | 'config'>) {
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
  for (const c of (route.config as { errorCodes?: readonly ErrorCode[] } | undefined)?.errorCodes ?? []) codes.add(c);
  return [...codes];
}

/** The status overrides a route declares (`config: { errorOverrides: [...] }`). */
export function errorOverridesOf(route: Pick<RouteOptions, 'config'>): readonly ErrorOverride[] {
  return (route.config as { errorOverrides?: readonly ErrorOverride[] } | undefined)?.errorOverrides ?? [];
}

/** OpenAPI responses for error codes, one per status, each listing its codes in `error.code`'s enum. */
export function errorResponses(
  codes: readonly ErrorCode[],
  overrides: readonly ErrorOverride[] = [],
): Record<string, object> {
  const byStatus = new Map<number, ErrorCode[]>();
  const add = (status: number, code: ErrorCode) => {
    const list = byStatus.get(status) ?? [];
    if (!list.includes(code)) byStatus.set(status, [...list, code]);
  };
  for (const code of codes) add(ERROR_CATALOGUE[code].status, code);
  for (const { code, status } of overrides) add(status, code);
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
