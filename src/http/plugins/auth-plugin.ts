import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { HeimdallError } from '../../core/errors.js';
import type { Authenticated, ClientInfo } from '../../core/session-service.js';
import type { Services } from '../../services.js';
import { clearSessionCookie } from '../cookies.js';
import { assertCsrfToken } from './csrf-plugin.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The live session and its user (roles fresh from the database), set by the session guard. */
    auth: Authenticated | null;
  }
}

export type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface AuthGuards {
  /** 401 without a live session; 403 `csrf_failed` for an unsafe method without the session's CSRF token. */
  requireSession: Guard;
  /** requireSession, then 403 `forbidden` unless the user holds the role (read from the database this request). */
  requireRole(role: string): Guard[];
  /** The live session for this request's cookie, or null; never throws for a missing or dead session. */
  readSession(request: FastifyRequest, reply: FastifyReply): Promise<Authenticated | null>;
}

export function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : '' };
}

export function sessionSecret(request: FastifyRequest, config: Config): string | undefined {
  return request.cookies[config.cookieName] || undefined;
}

export function createAuthGuards(app: FastifyInstance, services: Services, config: Config): AuthGuards {
  app.decorateRequest('auth', null);

  const readSession = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.auth) return request.auth;
    const secret = sessionSecret(request, config);
    if (!secret) return null;
    const auth = await services.sessions.validate(secret, clientInfo(request));
    // A cookie that no longer stands for a session is cleared so the browser stops sending it.
    if (!auth) clearSessionCookie(reply, config);
    request.auth = auth;
    return auth;
  };

  const requireSession: Guard = async (request, reply) => {
    const auth = await readSession(request, reply);
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
