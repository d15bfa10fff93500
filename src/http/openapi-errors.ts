import type { RouteOptions } from 'fastify';
import { isUnsafeMethod } from '../auth/request-facts.js';
import type { ErrorAnswer, ErrorCode } from '../core/errors.js';
import { ERROR_CATALOGUE } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Error codes a route answers with beyond those its schema and guards imply: what its handler decides. Declared
     * on the route itself (`config: { errorCodes: [...] }`); OpenAPI documents them, the serializers never see them.
     */
    errorCodes?: readonly ErrorAnswer[];
  }
}

type GuardLike = { errorCodes?: readonly ErrorAnswer[] };

const statusOf = (answer: ErrorAnswer) => (typeof answer === 'string' ? ERROR_CATALOGUE[answer].status : answer.status);
const codeOf = (answer: ErrorAnswer) => (typeof answer === 'string' ? answer : answer.code);

/** Every code a route can answer with: from its method and schema, its guards, and its declared errorCodes. */
export function errorCodesOf(method: string, route: Pick<RouteOptions, 'schema' | 'preHandler' | 'config'>) {
  const codes = new Set<ErrorCode>(['internal_error', 'service_unavailable']);
  const others = new Map<string, ErrorAnswer>();
  const add = (answer: ErrorAnswer) => {
    if (typeof answer === 'string') codes.add(answer);
    else others.set(`${answer.code}@${answer.status}`, answer);
  };
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  if (schema.body || schema.querystring || schema.params) codes.add('invalid_request');
  if (schema.body) {
    codes.add('payload_too_large');
    codes.add('unsupported_media_type');
  }
  // Heimdall's Origin and Fetch Metadata checks run before every unsafe request.
  if (isUnsafeMethod(method)) codes.add('csrf_failed');
  for (const hook of [route.preHandler ?? []].flat() as GuardLike[]) for (const c of hook.errorCodes ?? []) add(c);
  for (const c of (route.config as { errorCodes?: readonly ErrorAnswer[] } | undefined)?.errorCodes ?? []) add(c);
  return [...codes, ...others.values()] as ErrorAnswer[];
}

/** OpenAPI responses for error codes, one per status, each listing its codes in `error.code`'s enum. */
export function errorResponses(answers: readonly ErrorAnswer[]): Record<string, object> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const answer of answers) {
    const status = statusOf(answer);
    const listed = byStatus.get(status) ?? [];
    if (!listed.includes(codeOf(answer))) byStatus.set(status, [...listed, codeOf(answer)]);
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
