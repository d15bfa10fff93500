import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { HeimdallError } from '../../core/errors.js';
import type { Authenticated, ClientInfo } from '../../core/session-service.js';
import type { Services } from '../../services.js';
import { clearSessionCookie } from '../cookies.js';
import { assertCsrfToken, hasBearer } from './csrf-plugin.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The live session and its user (roles fresh from the database), set by the session guard. */
    auth: Authenticated | null;
    /** How this request authenticated: a cookie session, or an access JWT (an API token family). */
    authScheme: 'cookie' | 'bearer' | null;
    /** Why a Bearer token was refused, for the 401's code. */
    authFailure: 'token_expired' | 'unauthenticated' | null;
  }
}

export type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface AuthGuards {
  /** 401 without a live session; 403 `csrf_failed` for an unsafe method without the session's CSRF token. */
  requireSession: Guard;
  /** requireSession, then 403 `forbidden` unless the user holds the role (read from the database this request). */
  requireRole(role: string): Guard[];
  /**
   * The live session for this request's cookie — or, when it carries `Authorization: Bearer`, for its access
   * token and never the cookie — or null; never throws for a missing or dead session.
   */
  readSession(request: FastifyRequest, reply: FastifyReply): Promise<Authenticated | null>;
}

export function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : '' };
}

export function sessionSecret(request: FastifyRequest, config: Config): string | undefined {
  return request.cookies[config.cookieName] || undefined;
}

/** True when the request authenticated with an access token (GET /api/session then shows no CSRF token). */
export function isBearerRequest(request: FastifyRequest): boolean {
  return request.authScheme === 'bearer';
}

export function createAuthGuards(app: FastifyInstance, services: Services, config: Config): AuthGuards {
  app.decorateRequest('auth', null);
  app.decorateRequest('authScheme', null);
  app.decorateRequest('authFailure', null);

  const readBearer = async (request: FastifyRequest) => {
    request.authScheme = 'bearer';
    // hasBearer() decided this is a Bearer request, and CSRF checks skip it on that basis: so a bad token must
    // fail here and never fall back to a cookie that came along.
    const token = (request.headers.authorization ?? '').slice('bearer'.length).trim();
    const result = await services.bearer.authenticate(token);
    if (!result.ok) {
      request.authFailure = result.code;
      return null;
    }
    request.auth = result.auth;
    return result.auth;
  };

  const readSession = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.auth) return request.auth;
    if (hasBearer(request)) return request.authScheme ? null : readBearer(request);
    const secret = sessionSecret(request, config);
    if (!secret) return null;
    request.authScheme = 'cookie';
    const auth = await services.sessions.validate(secret, clientInfo(request));
    // A cookie that no longer stands for a session is cleared so the browser stops sending it.
    if (!auth) clearSessionCookie(reply, config);
    request.auth = auth;
    return auth;
  };

  const requireSession: Guard = async (request, reply) => {
    const auth = await readSession(request, reply);
    if (!auth && isBearerRequest(request)) {
      // RFC 6750 §3: tell Bearer clients why, so they know to refresh.
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      throw new HeimdallError(request.authFailure ?? 'unauthenticated');
    }
    if (!auth) throw new HeimdallError('unauthenticated');
    assertCsrfToken(request, auth.session);
  };

  const requireRole = (role: string): Guard[] => [
    requireSession,
    async (request) => {
      if (!request.auth?.user.roles.includes(role)) {
        throw new HeimdallError('forbidden', `This needs the "${role}" role.`);
      }
    },
  ];

  return { requireSession, requireRole, readSession };
}
