import { createHmac, hkdfSync } from 'node:crypto';
import { cryptoRandom, type RandomSource } from './tokens.js';

/** How many codes one set holds (API.md: 10 single-use codes). */
export const RECOVERY_CODE_COUNT = 10;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** 16 base32 characters: 80 random bits per code, shown as four groups of four. */
const CODE_LENGTH = 16;

/**
 * New recovery codes, `xxxx-xxxx-xxxx-xxxx` in lower-case base32 (no 0/1/8/9 to confuse with letters). 80 bits
 * each: guessing one is hopeless online (every attempt counts toward the login limits) and, with the keyed digests
 * below, offline too.
 */
export function generateRecoveryCodes(random: RandomSource = cryptoRandom): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = random(CODE_LENGTH);
    // 256 is a multiple of 32, so `byte % 32` picks each character uniformly.
    const chars = [...bytes].map((byte) => BASE32[byte % 32]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** A code as typed: spaces and hyphens dropped, lower-cased; null when it cannot be a recovery code. */
export function normaliseRecoveryCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, '').toLowerCase();
  return code.length === CODE_LENGTH && [...code].every((c) => BASE32.includes(c)) ? code : null;
}

/**
 * Digests of recovery codes at rest: HMAC-SHA-256 under a key derived from HEIMDALL_SECRET, over the account id and
 * the normalised code. A stolen database alone cannot test guesses (NIST SP 800-63B-4 §3.1.2 asks look-up secrets
 * under 112 bits to resist offline attack), and a digest copied to another account matches nothing there.
 */
export class RecoveryCodeDigester {
  readonly #key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new TypeError('RecoveryCodeDigester: the secret must be at least 32 characters');
    this.#key = Buffer.from(hkdfSync('sha256', secret, 'heimdall', 'heimdall recovery-codes v1', 32));
  }

  /** The digest of a code for an account; null when the input cannot be a recovery code. */
  digest(userId: string, input: string): string | null {
    const code = normaliseRecoveryCode(input);
    return code === null ? null : createHmac('sha256', this.#key).update(`${userId}\n${code}`).digest('base64url');
  }
}
