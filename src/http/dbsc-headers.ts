import type { FastifyReply } from 'fastify';
import { boundCookieName } from '../auth/request-authenticator.js';
import type { Config } from '../config/config.js';
import type { BoundCookie } from '../core/device-binding-service.js';
import type { Session } from '../core/session.js';
import type { ApiServices } from './api-services.js';

/** Where browsers register and refresh (API.md "Device-bound sessions"). */
export const DBSC_REGISTER_PATH = '/api/dbsc/register';
export const DBSC_REFRESH_PATH = '/api/dbsc/refresh';

/**
 * Offers device binding on an answer that signs a browser in (it sets a session cookie): a registration challenge
 * for this session in `Secure-Session-Registration`. A browser without DBSC ignores the header. A session already
 * bound (re-authentication keeps the binding) needs no new key, so it is not offered one.
 */
export async function offerDeviceBinding(
  reply: FastifyReply,
  services: Pick<ApiServices, 'deviceBinding'>,
  config: Config,
  session: Session,
): Promise<void> {
  if (!config.dbsc.enabled || session.kind !== 'cookie' || session.deviceKey !== null) return;
  const challenge = await services.deviceBinding.offerRegistration(session);
  reply.header('secure-session-registration', `(ES256);path="${DBSC_REGISTER_PATH}";challenge="${challenge}"`);
}

/** The bound cookie's attributes, as set and as the session instructions name them (they must match). */
function boundAttributes(config: Config): string {
  return `Path=/;${config.cookieSecure ? ' Secure;' : ''} HttpOnly; SameSite=Strict`;
}

export function setBoundCookie(reply: FastifyReply, config: Config, cookie: BoundCookie, now: number): void {
  reply.setCookie(boundCookieName(config.cookieName), cookie.value, {
    path: '/',
    httpOnly: true,
    secure: config.cookieSecure,
    sameSite: 'strict',
    maxAge: Math.max(1, Math.floor((cookie.expiresAt - now) / 1000)),
  });
}

/**
 * DBSC "JSON session instructions" for a bound session (registration and refresh answer the same). The session
 * covers Heimdall's own origin; an SPA on another origin (HEIMDALL_ORIGINS) calls it too, and the draft lets a
 * request from outside the scope trigger a refresh only when its host is among `allowed_refresh_initiators`.
 */
export function sessionInstructions(config: Config, session: Session) {
  const initiators = [...new Set(config.origins.map((origin) => new URL(origin).hostname))];
  return {
    session_identifier: session.id,
    refresh_url: DBSC_REFRESH_PATH,
    scope: { origin: config.publicUrl, include_site: false },
    credentials: [
      { type: 'cookie' as const, name: boundCookieName(config.cookieName), attributes: boundAttributes(config) },
    ],
    ...(initiators.length > 0 ? { allowed_refresh_initiators: initiators } : {}),
  };
}

/**
 * The value of a structured-field string header (RFC 9651 sf-string): `"…"` with `\"` and `\\` escapes, any
 * parameters after it ignored, as the draft says. A bare token is accepted too. Null when absent or malformed.
 */
export function readSfString(header: string | string[] | undefined): string | null {
  const raw = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!raw) return null;
  if (!raw.startsWith('"')) return /^[A-Za-z0-9._~+/=-]+$/.test(raw) ? raw : null;
  let value = '';
  for (let i = 1; i < raw.length; i++) {
    const char = raw[i]!;
    if (char === '\\') {
      const next = raw[++i];
      if (next !== '"' && next !== '\\') return null;
      value += next;
    } else if (char === '"') {
      return value;
    } else if (char < ' ' || char > '~') {
      return null;
    } else {
      value += char;
    }
  }
  return null;
}
