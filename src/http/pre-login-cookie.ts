import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import { PENDING_SIGN_ON_TTL_MS } from '../core/sign-on-service.js';

/**
 * The pre-login cookie binds a sign-on attempt (state, nonce, PKCE verifier, kept server-side under its hash) to the
 * browser that started it. `SameSite=Lax`, unlike the session cookie: the provider sends the browser back with a
 * cross-site top-level GET, which carries Lax cookies but not Strict ones. `__Host-` (Secure, Path=/, no Domain)
 * whenever cookies are Secure; HttpOnly; ten minutes at most; cleared by the callback, whose store entry is single-use.
 */
export function preLoginCookieName(config: Config): string {
  const base = `${config.cookieName}-oidc`;
  return config.cookieSecure && !base.startsWith('__Host-') ? `__Host-${base.replace(/^__Secure-/, '')}` : base;
}

export function setPreLoginCookie(reply: FastifyReply, config: Config, secret: string): void {
  reply.setCookie(preLoginCookieName(config), secret, {
    path: '/',
    httpOnly: true,
    secure: config.cookieSecure,
    sameSite: 'lax',
    maxAge: PENDING_SIGN_ON_TTL_MS / 1000,
  });
}

export function readPreLoginCookie(request: FastifyRequest, config: Config): string | undefined {
  return request.cookies[preLoginCookieName(config)] || undefined;
}

export function clearPreLoginCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(preLoginCookieName(config), {
    path: '/',
    httpOnly: true,
    secure: config.cookieSecure,
    sameSite: 'lax',
  });
}
