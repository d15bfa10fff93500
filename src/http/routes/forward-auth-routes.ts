import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { isUnsafeMethod } from '../../auth/request-facts.js';
import type { User } from '../../core/user.js';
import { clearSessionCookie } from '../cookies.js';
import { redactUrl } from '../logger-options.js';
import { requestFacts } from '../plugins/csrf-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { Role } from '../schemas.js';

/**
 * Closed: a parameter other than `role` (`roles`, `Role`, `role[]`…) is a 400, because ignoring it would turn a
 * misspelt requirement into "any signed-in user". `role` may repeat (`?role=a&role=b`): all must be held.
 */
const VerifyQuery = Type.Object(
  { role: Type.Optional(Type.Union([Role, Type.Array(Role, { minItems: 1, maxItems: 16 })])) },
  { additionalProperties: false },
);

/** Headers the proxy copies onto the request it lets through (nginx auth_request_set, Traefik authResponseHeaders). */
export const IDENTITY_HEADERS = {
  userId: 'x-auth-user-id',
  email: 'x-auth-user-email',
  roles: 'x-auth-roles',
  sessionId: 'x-auth-session-id',
} as const;

/** Where each proxy reports the method and URI of the request it is asking about. */
const METHOD_HEADERS = ['x-forwarded-method', 'x-original-method'] as const;
const URI_HEADERS = ['x-forwarded-uri', 'x-original-uri'] as const;
const METHOD_TOKEN = /^[A-Za-z]{1,16}$/;

/**
 * The method whose CSRF rules apply: the proxied request's. When a proxy reports it in both headers and either
 * names an unsafe method, that one wins; a value that is not a method token counts as unsafe (fail closed). Without
 * either header the check is for the verify request itself (GET): configure the proxy to send one (docs/deploy).
 */
export function proxiedMethod(request: FastifyRequest): { method: string; reported: boolean } {
  const reported = METHOD_HEADERS.map((name) => request.headers[name]).filter(
    (v): v is string => typeof v === 'string',
  );
  if (reported.length === 0) return { method: request.method, reported: false };
  const methods = reported.map((v) => (METHOD_TOKEN.test(v.trim()) ? v.trim().toUpperCase() : 'POST'));
  return { method: methods.find(isUnsafeMethod) ?? methods[0]!, reported: true };
}

/**
 * Header values must be visible ASCII (Node refuses anything else, and proxies mangle it). Ids and role names are;
 * an email may not be, so it is percent-encoded (UTF-8) wherever it is not — `%` included, so decoding is exact.
 */
export function encodeHeaderValue(value: string): string {
  if (/^[\x21-\x24\x26-\x7e]*$/.test(value)) return value;
  // Buffer rather than encodeURIComponent, which throws on a lone surrogate (JSON allows one in a string).
  const encode = (char: string) =>
    [...Buffer.from(char, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  return value.replace(/[^\x21-\x24\x26-\x7e]/gu, encode);
}

function identityHeaders(user: User, sessionId: string): Record<string, string> {
  return {
    [IDENTITY_HEADERS.userId]: user.id,
    [IDENTITY_HEADERS.email]: encodeHeaderValue(user.email),
    [IDENTITY_HEADERS.roles]: user.roles.join(','),
    [IDENTITY_HEADERS.sessionId]: sessionId,
  };
}

/**
 * GET /auth/verify[?role=…] for nginx `auth_request`, Traefik ForwardAuth and Caddy `forward_auth` (API.md, "Forward
 * auth"). It runs the same authenticator as every /api route — cookie session or Bearer token, read fresh from the
 * stores, never cached — with the CSRF rules applied to the proxied request's method, so a revocation or a
 * demotion is refused on the very next proxied request.
 */
export function registerForwardAuthRoutes(api: Api, { authenticator, config }: RouteContext): void {
  let warnedAboutMethod = false;
  const identity = { type: 'string' } as const;
  api.get(
    '/auth/verify',
    {
      config: { errorCodes: ['unauthenticated', 'token_expired', 'csrf_failed', 'forbidden'] },
      schema: {
        querystring: VerifyQuery,
        response: {
          204: Type.Null({
            description: 'A live session; the identity is in the response headers.',
            headers: {
              [IDENTITY_HEADERS.userId]: identity,
              [IDENTITY_HEADERS.email]: { ...identity, description: 'percent-encoded where not visible ASCII' },
              [IDENTITY_HEADERS.roles]: { ...identity, description: 'comma-separated' },
              [IDENTITY_HEADERS.sessionId]: identity,
            },
          }),
        },
      },
    },
    async (request, reply) => {
      // Every proxied request asks again: an answer reused from a cache would outlive a revocation.
      reply.header('cache-control', 'no-store');
      const { method, reported } = proxiedMethod(request);
      if (!reported && !warnedAboutMethod) {
        warnedAboutMethod = true;
        request.log.warn(
          'forward auth: the proxy sent neither X-Forwarded-Method nor X-Original-Method, so CSRF rules cannot ' +
            'tell unsafe proxied requests apart; see docs/deploy/nginx.md',
        );
      }
      const uri = URI_HEADERS.map((name) => request.headers[name]).find((v) => typeof v === 'string');
      request.log.debug({ forwarded: { method, uri: uri === undefined ? null : redactUrl(uri) } }, 'forward auth');

      const verdict = await authenticator.verify(requestFacts(request, method), { role: request.query.role });
      if (!verdict.ok) {
        if (verdict.challenge) reply.header('www-authenticate', verdict.challenge);
        if (verdict.staleCookie) clearSessionCookie(reply, config);
        throw verdict.error;
      }
      return reply.code(204).headers(identityHeaders(verdict.auth.user, verdict.auth.session.id)).send(null);
    },
  );
}
