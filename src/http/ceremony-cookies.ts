import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import { CHALLENGE_TTL_MS } from '../core/passkey-service.js';
import { PENDING_SIGN_IN_TTL_MS } from '../core/second-factor-service.js';

/**
 * Short-lived cookies that bind a multi-step sign-in to the browser that began it: `-2fa` names a sign-in waiting for
 * its second factor (API.md: ≤ 5 minutes, single use), `-webauthn` a discoverable passkey sign-in's challenge. Each
 * holds only a random secret whose SHA-256 names the server-side state. Unlike the pre-login cookie of third-party
 * sign-on they are `SameSite=Strict`: the step they serve is a same-origin fetch, never a cross-site navigation.
 * `__Host-` (Secure, Path=/, no Domain) whenever cookies are Secure; HttpOnly.
 */
export interface CeremonyCookie {
  name(config: Config): string;
  set(reply: FastifyReply, config: Config, secret: string): void;
  read(request: FastifyRequest, config: Config): string | undefined;
  clear(reply: FastifyReply, config: Config): void;
}

function ceremonyCookie(suffix: string, maxAgeMs: number): CeremonyCookie {
  const name = (config: Config) => {
    const base = `${config.cookieName}-${suffix}`;
    return config.cookieSecure && !base.startsWith('__Host-') ? `__Host-${base.replace(/^__Secure-/, '')}` : base;
  };
  const attributes = (config: Config) => ({
    path: '/',
    httpOnly: true,
    secure: config.cookieSecure,
    sameSite: 'strict' as const,
  });
  return {
    name,
    set: (reply, config, secret) =>
      reply.setCookie(name(config), secret, { ...attributes(config), maxAge: Math.floor(maxAgeMs / 1000) }),
    read: (request, config) => request.cookies[name(config)] || undefined,
    clear: (reply, config) => reply.clearCookie(name(config), attributes(config)),
  };
}

export const secondFactorCookie = ceremonyCookie('2fa', PENDING_SIGN_IN_TTL_MS);
export const passkeyCookie = ceremonyCookie('webauthn', CHALLENGE_TTL_MS);
