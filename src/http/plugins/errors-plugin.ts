import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { ERROR_CATALOGUE, type ErrorCode, HeimdallError } from '../../core/errors.js';
import { securityHeaders } from './security-headers-plugin.js';

/** Fastify's own error codes for bad input, mapped to the API's catalogue. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
};

function byStatus(status: number | undefined): ErrorCode | null {
  switch (status) {
    case 400:
      return 'invalid_request';
    case 404:
      return 'not_found';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    case 503:
      return 'service_unavailable';
    default:
      return null;
  }
}

/** 429 `rate_limited` with the wait in whole seconds, as both `Retry-After` and a body field. */
export function rateLimitedError(retryAfterMs: number | undefined): HeimdallError {
  return new HeimdallError('rate_limited', undefined, {
    details: { retryAfterSeconds: Math.max(1, Math.ceil((retryAfterMs ?? 1000) / 1000)) },
  });
}

/** An expected failure as core returns it: a catalogue code, and for `rate_limited` the wait. */
export interface Failure {
  code: ErrorCode;
  message?: string;
  retryAfterMs?: number;
}

/** The one mapping from a core failure to the API's error (429s carry their wait as `Retry-After`). */
export function failureError(failure: Failure): HeimdallError {
  return failure.code === 'rate_limited'
    ? rateLimitedError(failure.retryAfterMs)
    : new HeimdallError(failure.code, failure.message);
}

export function sendError(reply: FastifyReply, error: HeimdallError): FastifyReply {
  const retryAfter = error.details?.retryAfterSeconds;
  const waits = error.code === 'rate_limited' || error.code === 'service_unavailable';
  if (waits && typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  return reply
    .code(error.status)
    .type('application/json; charset=utf-8')
    .send({ error: { code: error.code, message: error.message, ...(error.details ?? {}) } });
}

/** Translates anything thrown into the documented error body; never a stack trace, never a 500 for bad input. */
export function toHeimdallError(error: FastifyError | Error, request: FastifyRequest): HeimdallError {
  if (error instanceof HeimdallError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return new HeimdallError(
      'invalid_request',
      `Invalid ${fastifyError.validationContext ?? 'request'}: ${describeValidation(fastifyError)}`,
    );
  }
  const code = (fastifyError.code && FASTIFY_CODES[fastifyError.code]) || byStatus(fastifyError.statusCode);
  if (code) {
    // JSON syntax and prototype-pollution refusals arrive as 400s whose message is safe to show.
    const message = code === 'invalid_request' && fastifyError.statusCode === 400 ? fastifyError.message : undefined;
    return new HeimdallError(code, message);
  }
  return new HeimdallError('internal_error', `${ERROR_CATALOGUE.internal_error.message} Request id: ${request.id}.`, {
    cause: error,
  });
}

function describeValidation(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const path = first.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const params = first.params as { additionalProperties?: string[] | string; requiredProperties?: string[] };
  if (first.schemaPath.endsWith('/additionalProperties') || first.keyword === 'additionalProperties') {
    const extra = params.additionalProperties ?? path;
    return `unknown field ${[extra]
      .flat()
      .map((p) => `"${p}"`)
      .join(', ')}`;
  }
  if (first.keyword === 'required' && params.requiredProperties) {
    return `missing field ${params.requiredProperties.map((p) => `"${p}"`).join(', ')}`;
  }
  return `${path || 'value'} ${first.message ?? 'is not valid'}`;
}

/**
 * Fastify's own answers to a URL it cannot route at all (a percent-escape that does not decode, a path parameter
 * over maxParamLength) come before any hook runs: answered here in the API's error shape with the headers every
 * answer carries, never Fastify's body (Fastify's `frameworkErrors` option).
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const message =
    error.code === 'FST_ERR_BAD_URL'
      ? 'The URL cannot be decoded.'
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? 'A path segment is too long.'
        : 'The request is not valid.';
  reply.headers(securityHeaders()).header('x-request-id', request.id).header('cache-control', 'no-store');
  sendError(reply, new HeimdallError('invalid_request', message));
}

/** Methods a known path may be asked with (OPTIONS is answered everywhere, for CORS preflights). */
const ROUTED_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The methods routed for this path, for `Allow`. A wildcard route (the web app's HTML fallback) matches any path and
 * does not make a path known: only routes that name it do.
 */
function routedMethods(app: FastifyInstance, path: string): string[] {
  return ROUTED_METHODS.filter((method) => {
    const found = app.findRoute({ method, url: path });
    return found !== null && !(found.params && '*' in found.params);
  });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = toHeimdallError(error, request);
    if (mapped.code === 'internal_error') request.log.error({ err: error }, 'unhandled error');
    else if (mapped.status >= 500) request.log.warn({ err: error }, mapped.message);
    return sendError(reply, mapped);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.header('cache-control', 'no-store');
    const path = request.url.split('?')[0] ?? '/';
    // A known path asked with another method is 405 with what it serves (RFC 9110 §15.5.6), not a 404.
    const allowed = routedMethods(app, path);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(reply, new HeimdallError('method_not_allowed', `${path} answers ${allowed.join(', ')}.`));
    }
    return sendError(reply, new HeimdallError('not_found', `No route for ${request.method} ${path}.`));
  });
}
