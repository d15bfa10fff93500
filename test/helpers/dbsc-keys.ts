import type { webcrypto } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** A browser's DBSC key pair as jose makes it: ES256 (P-256), the public half as a JWK. */
export interface DeviceKey {
  privateKey: webcrypto.CryptoKey;
  jwk: JWK;
}

export async function makeDeviceKey(): Promise<DeviceKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, jwk: await exportJWK(publicKey) };
}

/**
 * A DBSC proof as Chromium makes one: `typ` `dbsc+jwt`, ES256, `jti` the challenge; the public key in the header for
 * a registration (`withJwk`), none for a refresh. `header` overrides or adds header members (attacks).
 */
export function signProof(
  key: DeviceKey,
  jti: unknown,
  options: { withJwk?: JWK | false; header?: Record<string, unknown>; claims?: Record<string, unknown> } = {},
): Promise<string> {
  const jwk = options.withJwk === undefined ? key.jwk : options.withJwk;
  return new SignJWT({ jti, iat: Math.floor(Date.now() / 1000), ...options.claims } as Record<string, unknown>)
    .setProtectedHeader({ alg: 'ES256', typ: 'dbsc+jwt', ...(jwk ? { jwk } : {}), ...options.header })
    .sign(key.privateKey);
}

/** An unsigned JWT (`alg: none`) with the given header and claims. */
export function unsignedProof(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'dbsc+jwt', ...header })}.${part(claims)}.`;
}

/** An HMAC-signed proof (HS256), the classic algorithm-confusion attempt. */
export function hmacProof(header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'dbsc+jwt', ...header })
    .sign(new TextEncoder().encode('a shared secret an attacker picked'));
}
