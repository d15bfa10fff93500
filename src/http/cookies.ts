import type { FastifyReply } from 'fastify';
import type { Config } from '../config/config.js';
import type { IssuedSession } from '../core/session-service.js';

/**
 * The session cookie: HttpOnly (no script can read it), Secure, SameSite=Strict (never sent on cross-site
 * requests), host-only with Path=/ (the `__Host-` prefix makes the browser enforce both). Max-Age only with
 * "remember me", so an ordinary sign-in ends when the browser closes.
 */
export function setSessionCookie(reply: FastifyReply, config: Config, issued: IssuedSession): void {
  const { session, secret } = issued;
  reply.setCookie(config.cookieName, secret, {
    path: '/',
    httpOnly: true,
    secure: config.cookieSecure,
    sameSite: 'strict',
    ...(session.rememberMe ? { maxAge: Math.floor((session.absoluteExpiresAt - session.createdAt) / 1000) } : {}),
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(config.cookieName, { path: '/', httpOnly: true, secure: config.cookieSecure, sameSite: 'strict' });
}
