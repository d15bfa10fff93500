import { createHash } from 'node:crypto';
import { decodeProtectedHeader, errors, importJWK, type JWK, jwtVerify } from 'jose';

/**
 * The DBSC proof (W3C Device Bound Session Credentials, "DBSC Proof JWT Syntax"): a JWT with `typ` `dbsc+jwt`,
 * signed by the browser's session key, whose `jti` is a challenge the server issued. Heimdall accepts ES256 only
 * (API.md): no `none`, no RS256, no HMAC, whatever the header says.
 */

/** A P-256 public key as stored with a bound session: exactly these four members, nothing private. */
export interface DevicePublicKey {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export type ProofCheck =
  | { ok: true; jti: string; key: DevicePublicKey }
  /** malformed: not a well-formed ES256 `dbsc+jwt` (400); wrong_key: a valid shape not signed by the key (403). */
  | { ok: false; reason: 'malformed' | 'wrong_key'; message: string };

/** Far beyond any real proof (a P-256 JWK, a challenge, a few claims: ~600 characters); cheap refusal of junk. */
const MAX_PROOF_LENGTH = 4_096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const VERIFY_OPTIONS = { algorithms: ['ES256'], typ: 'dbsc+jwt' };

/**
 * Registration: the public key comes from the proof's own `jwk` header and must be one the proof is signed by (the
 * browser shows it holds the private half).
 */
export async function checkRegistrationProof(proof: string): Promise<ProofCheck> {
  const header = readHeader(proof);
  if (!header) return malformed('The proof is not an ES256 dbsc+jwt.');
  const key = publicKeyOf(header.jwk);
  if (!key) return malformed('The proof must carry its P-256 public key as jwk.');
  return verifyWith(proof, key);
}

/**
 * Refresh: verified with the key stored when the session was bound, never one the request names (a `jwk` in the
 * header, which the draft says refresh proofs do not carry, is ignored).
 */
export async function checkRefreshProof(proof: string, storedKey: string): Promise<ProofCheck> {
  if (!readHeader(proof)) return malformed('The proof is not an ES256 dbsc+jwt.');
  const key = publicKeyOf(parseJson(storedKey));
  if (!key) return malformed('The session has no usable device key.');
  return verifyWith(proof, key);
}

/** RFC 7638 thumbprint (SHA-256, base64url) of a device key: what audit events name. */
export function thumbprintOf(key: DevicePublicKey): string {
  const canonical = JSON.stringify({ crv: key.crv, kty: key.kty, x: key.x, y: key.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** The stored form: the four members in a fixed order, and when the session was bound (epoch ms). */
export function serializeDeviceKey(key: DevicePublicKey, boundAt: number): string {
  return JSON.stringify({ kty: key.kty, crv: key.crv, x: key.x, y: key.y, boundAt });
}

/** When a stored binding was made, or null for one that does not say. */
export function boundAtOf(storedKey: string): number | null {
  const boundAt = (parseJson(storedKey) as { boundAt?: unknown } | null)?.boundAt;
  return typeof boundAt === 'number' ? boundAt : null;
}

async function verifyWith(proof: string, key: DevicePublicKey): Promise<ProofCheck> {
  let payload: { jti?: unknown };
  try {
    const imported = await importJWK(key as JWK, 'ES256');
    ({ payload } = await jwtVerify(proof, imported, VERIFY_OPTIONS));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return { ok: false, reason: 'wrong_key', message: 'The proof is not signed by the session key.' };
    }
    // Anything else jose (or the key import: a point not on the curve) refuses is a malformed proof, never a 500.
    return malformed('The proof could not be verified.');
  }
  if (typeof payload.jti !== 'string' || payload.jti === '') return malformed('The proof has no jti.');
  return { ok: true, jti: payload.jti, key };
}

function readHeader(proof: string): { jwk?: unknown } | null {
  if (proof.length > MAX_PROOF_LENGTH) return null;
  const parts = proof.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) return null;
  try {
    const header = decodeProtectedHeader(proof);
    return header.alg === 'ES256' && header.typ === 'dbsc+jwt' ? header : null;
  } catch {
    return null;
  }
}

function publicKeyOf(jwk: unknown): DevicePublicKey | null {
  if (typeof jwk !== 'object' || jwk === null) return null;
  const { kty, crv, x, y, d } = jwk as Record<string, unknown>;
  // A private member means a confused or hostile client; a key is only ever stored public.
  if (kty !== 'EC' || crv !== 'P-256' || d !== undefined) return null;
  if (typeof x !== 'string' || typeof y !== 'string' || x.length !== 43 || y.length !== 43) return null;
  if (!BASE64URL.test(x) || !BASE64URL.test(y)) return null;
  return { kty, crv, x, y };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function malformed(message: string): ProofCheck {
  return { ok: false, reason: 'malformed', message };
}
