import { createHmac, hkdfSync } from 'node:crypto';
import { safeEqual } from './tokens.js';

/**
 * The bound cookie of a device-bound session (`__Host-heimdall-bound`): `<expiry, base36 ms>.<HMAC-SHA256>` over the
 * session id and that expiry, under a key derived from HEIMDALL_SECRET. Only register and refresh — that is, only
 * the holder of the session's private key — get one; it proves nothing once past its expiry.
 *
 * Why a MAC and not a random value whose digest is stored: it is checked on every request of a bound session, and a
 * MAC costs one HMAC of ~40 bytes and no lookup, while a stored digest would cost a session write (and, with Redis,
 * an invalidation pushed to every instance) on each refresh, every DBSC_COOKIE_TTL per browser. Ending the session
 * ends the cookie too: it stands for a session id, which then resolves to nothing.
 */
export class BoundCookieSigner {
  readonly #key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new TypeError('BoundCookieSigner: the secret must be at least 32 characters');
    this.#key = Buffer.from(hkdfSync('sha256', secret, 'heimdall', 'heimdall dbsc bound cookie v1', 32));
  }

  /** The cookie value for the session, valid until `expiresAt` (epoch ms). */
  issue(sessionId: string, expiresAt: number): string {
    const expiry = Math.floor(expiresAt).toString(36);
    return `${expiry}.${this.#mac(sessionId, expiry)}`;
  }

  /** True when `value` was issued for this session and `now` is before its expiry plus `graceMs`. */
  verify(sessionId: string, value: string | undefined, now: number, graceMs: number): boolean {
    if (!value || value.length > 64) return false;
    const dot = value.indexOf('.');
    if (dot <= 0) return false;
    const expiry = value.slice(0, dot);
    const expiresAt = Number.parseInt(expiry, 36);
    if (!/^[0-9a-z]{1,12}$/.test(expiry) || now >= expiresAt + graceMs) return false;
    return safeEqual(value.slice(dot + 1), this.#mac(sessionId, expiry));
  }

  #mac(sessionId: string, expiry: string): string {
    return createHmac('sha256', this.#key).update(`${sessionId}.${expiry}`).digest('base64url');
  }
}
