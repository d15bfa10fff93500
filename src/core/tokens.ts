import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Bytes of entropy in every secret Heimdall hands out that is looked up (session cookies, refresh tokens). */
export const SECRET_BYTES = 32;

/**
 * Bytes of entropy in a CSRF token: 128 bits from the CSPRNG (twice OWASP's 64-bit floor for session ids). A CSRF
 * token is never a lookup key, only compared in constant time with its own session's, and dies with the session: a
 * forged request must guess one live session's token, 2^-128 per try. Half a cookie secret's length keeps the
 * session record in Redis small (22 characters instead of 43).
 */
export const CSRF_TOKEN_BYTES = 16;

/** Source of random bytes; injected so that services never reach for a global. */
export type RandomSource = (size: number) => Buffer;

export const cryptoRandom: RandomSource = (size) => randomBytes(size);

/** A new random secret, base64url without padding (43 characters for 32 bytes). */
export function generateSecret(random: RandomSource = cryptoRandom, bytes = SECRET_BYTES): string {
  return random(bytes).toString('base64url');
}

/**
 * SHA-256 of a secret, base64url. Storage keeps only this digest, so a stolen database or Redis dump yields no
 * usable cookie; a fast hash is right here because the input is 256 random bits, not a password.
 */
export function hashToken(secret: string): string {
  // The one-shot hash (Node ≥ 20.12): no Hash object to build on every authenticated request.
  return hash('sha256', secret, 'base64url');
}

/** Constant-time string comparison; different lengths compare unequal without leaking where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  if (left.length !== right.length) {
    // Compare against itself so the time spent does not depend on where the inputs differ.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** Shape check for secrets we issued: base64url of SECRET_BYTES bytes. Cheap rejection before any lookup. */
export function looksLikeSecret(value: string): boolean {
  return value.length === 43 && /^[A-Za-z0-9_-]+$/.test(value);
}
