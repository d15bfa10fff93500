import type { Clock } from './clock.js';
import { cryptoRandom, type RandomSource } from './tokens.js';

/**
 * A UUIDv7 (RFC 9562 §5.7): 48-bit millisecond timestamp then random bits. Time-ordered, so user listings can page
 * by id; not a secret.
 */
export function generateUuidV7(clock: Clock, random: RandomSource = cryptoRandom): string {
  const bytes = random(16);
  const ms = BigInt(clock.now());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A public, random identifier (128 bits, base64url) for things shown to users, such as session ids. */
export function generatePublicId(random: RandomSource = cryptoRandom): string {
  return random(16).toString('base64url');
}
