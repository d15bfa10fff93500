import type { IncomingHttpHeaders } from 'node:http';
import type { ClientInfo } from '../core/session.js';

/** What any HTTP framework can say about a request: enough to authenticate it and apply the CSRF rules. */
export interface RequestFacts {
  /** The method whose rules apply: the request's own, or the original method a forward-auth proxy reports. */
  method: string;
  /** Lower-case header names, as Node parses them. */
  headers: IncomingHttpHeaders;
  /** The client's address (through TRUST_PROXY). */
  ip: string;
  /** The origin the client addressed, `scheme://host[:port]` (through TRUST_PROXY). */
  ownOrigin: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^bearer\s/i;

export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/**
 * The one test of "is this a Bearer request": such requests are judged by their token alone and are not
 * cookie-authenticated, so they need no CSRF token — a cross-site page cannot make a browser add the header.
 */
export function hasBearerHeader(headers: IncomingHttpHeaders): boolean {
  const header = headers.authorization;
  return typeof header === 'string' && BEARER.test(header);
}

/** The value of one cookie from a Cookie header; the first occurrence wins, as in the `cookie` package. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    const value = raw.startsWith('"') && raw.endsWith('"') && raw.length > 1 ? raw.slice(1, -1) : raw;
    try {
      return value.includes('%') ? decodeURIComponent(value) : value || undefined;
    } catch {
      return value || undefined;
    }
  }
  return undefined;
}

/** Address and user agent, as sessions and audit events record them. */
export function clientOf(facts: Pick<RequestFacts, 'headers' | 'ip'>): ClientInfo {
  const userAgent = facts.headers['user-agent'];
  return { ip: facts.ip, userAgent: typeof userAgent === 'string' ? userAgent : '' };
}
