import { Secret, TOTP } from 'otpauth';
import { cryptoRandom, type RandomSource } from './tokens.js';

/**
 * Time-based one-time passwords, RFC 6238 as every authenticator app reads an otpauth:// URL by default: HMAC-SHA-1,
 * 6 digits, 30-second steps. otpauth computes the codes (and compares them in constant time); what is Heimdall's own
 * is the window (one step either side, for clock drift and typing time) and the step it reports, so that a code once
 * accepted is never accepted again (RFC 6238 §5.2).
 */
export const TOTP_PARAMETERS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1;
/** RFC 4226 §4 asks for at least 128 bits and recommends 160: the length of an HMAC-SHA-1 key. */
const SECRET_BYTES = 20;
const ISSUER = 'Heimdall';

export type TotpParameters = { algorithm: string; digits: number; period: number };

/** A new random secret, base32 without padding (32 characters), as authenticator apps take it. */
export function generateTotpSecret(random: RandomSource = cryptoRandom): string {
  const bytes = random(SECRET_BYTES);
  return new Secret({ buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }).base32;
}

/** The otpauth:// URL an authenticator app scans (Key Uri Format): issuer, account label, secret and parameters. */
export function otpauthUrl(secret: string, accountLabel: string): string {
  return new TOTP({
    issuer: ISSUER,
    label: accountLabel,
    secret: Secret.fromBase32(secret),
    ...TOTP_PARAMETERS,
  }).toString();
}

/** The code for `timestampMs` (what an authenticator app shows then). */
export function generateTotp(
  secret: string,
  timestampMs: number,
  parameters: TotpParameters = TOTP_PARAMETERS,
): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: timestampMs, ...parameters });
}

export type TotpCheck = { ok: true; step: number } | { ok: false };

/**
 * Checks a code at `nowMs`, within one step either side. On success, the absolute time step (floor(unix / 30)) the
 * code belongs to: the caller refuses it unless that step is newer than the last one it accepted.
 */
export function verifyTotp(
  secret: string,
  code: string,
  nowMs: number,
  parameters: TotpParameters = TOTP_PARAMETERS,
): TotpCheck {
  if (!new RegExp(`^[0-9]{${parameters.digits}}$`).test(code)) return { ok: false };
  let key: Secret;
  try {
    key = Secret.fromBase32(secret);
  } catch {
    return { ok: false };
  }
  const delta = TOTP.validate({ token: code, secret: key, timestamp: nowMs, window: TOTP_WINDOW, ...parameters });
  if (delta === null) return { ok: false };
  return { ok: true, step: TOTP.counter({ period: parameters.period, timestamp: nowMs }) + delta };
}
