import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthorizeOptions, Identification, RequestAuthenticator } from '../../auth/request-authenticator.js';
import { clientOf } from '../../auth/request-facts.js';
import type { Config } from '../../config/config.js';
import type { ErrorAnswer, ErrorCode } from '../../core/errors.js';
import type { Authenticated, ClientInfo } from '../../core/session-service.js';
import { clearSessionCookie } from '../cookies.js';
import { credentialFacts, requestFacts } from './csrf-plugin.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The live session and its user (roles fresh from the database), set by the session guard. */
    auth: Authenticated | null;
    /** How this request authenticated: a cookie session, or an access JWT (an API token family). */
    authScheme: 'cookie' | 'bearer' | null;
    /** Why a Bearer token was refused, for the 401's code. */
    authFailure: 'token_expired' | 'unauthenticated' | null;
    /** The authenticator's answer for this request, read once. */
    identification: Identification | null;
  }
}

export type Guard = ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) & {
  /** The error codes this guard can answer with (OpenAPI documents them per route). */
  readonly errorCodes?: readonly ErrorAnswer[];
};

export interface AuthGuards {
  /** 401 without a live session; 403 `csrf_failed` for an unsafe method without the session's CSRF token. */
  requireSession: Guard;
  /**
   * requireSession, then 403 `forbidden` unless the user holds the role (read from the database this request), and
   * 403 `second_factor_required` for a role of MFA_REQUIRED_ROLES whose holder has no second factor.
   */
  requireRole(role: string): Guard[];
  /**
   * requireSession, then 403 `reauthentication_required` unless this cookie session proved a factor within
   * REAUTH_MAX_AGE (sensitive actions; a Bearer token never passes).
   */
  requireRecentAuth: Guard;
  /**
   * The live session for this request's cookie — or, when it carries `Authorization: Bearer`, for its access
   * token and never the cookie — or null; never throws for a missing or dead session.
   */
  readSession(request: FastifyRequest, reply: FastifyReply): Promise<Authenticated | null>;
}

export const SESSION_ERRORS: readonly ErrorCode[] = ['unauthenticated', 'token_expired', 'csrf_failed'];

export function clientInfo(request: FastifyRequest): ClientInfo {
  return clientOf(request);
}

export function sessionSecret(request: FastifyRequest, config: Config): string | undefined {
  return request.cookies[config.cookieName] || undefined;
}

/** Heimdall's own guards: thin Fastify glue over the shared RequestAuthenticator. */
export function createAuthGuards(
  app: FastifyInstance,
  authenticator: RequestAuthenticator,
  config: Config,
): AuthGuards {
  app.decorateRequest('auth', null);
  app.decorateRequest('authScheme', null);
  app.decorateRequest('authFailure', null);
  app.decorateRequest('identification', null);

  const identify = async (request: FastifyRequest, reply: FastifyReply): Promise<Identification> => {
    if (request.identification) return request.identification;
    const identification = await authenticator.identify(credentialFacts(request));
    request.identification = identification;
    request.auth = identification.auth;
    request.authScheme = identification.scheme;
    request.authFailure = identification.scheme === 'bearer' ? identification.failure : null;
    // A cookie that no longer stands for a session is cleared so the browser stops sending it.
    if (identification.staleCookie) clearSessionCookie(reply, config);
    return identification;
  };

  const guard = (options: AuthorizeOptions, errorCodes: readonly ErrorAnswer[]): Guard =>
    Object.assign(
      async (request: FastifyRequest, reply: FastifyReply) => {
        const verdict = authenticator.authorize(requestFacts(request), await identify(request, reply), options);
        if (verdict.ok) return;
        if (verdict.challenge) reply.header('www-authenticate', verdict.challenge);
        throw verdict.error;
      },
      { errorCodes },
    );

  const requireSession = guard({}, SESSION_ERRORS);
  return {
    requireSession,
    requireRole: (role) => [
      guard({ role }, [
        ...SESSION_ERRORS,
        'forbidden',
        ...(authenticator.requiresSecondFactor(role) ? [{ code: 'second_factor_required', status: 403 } as const] : []),
      ]),
    ],
    requireRecentAuth: guard({ recentWithinMs: config.reauthMaxAgeMs }, [
      ...SESSION_ERRORS,
      'reauthentication_required',
    ]),
    readSession: async (request, reply) => (await identify(request, reply)).auth,
  };
}
