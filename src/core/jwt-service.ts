import { errors, type JWTHeaderParameters, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { Clock } from './clock.js';
import { generatePublicId } from './ids.js';
import type { KeyRing } from './key-ring.js';
import { SIGNING_ALGORITHMS } from './signing-key.js';
import { cryptoRandom, type RandomSource } from './tokens.js';
import { VerifiedTokens } from './verified-tokens.js';

/**
 * The JWTs Heimdall issues. Each kind has its own audience and `typ` header, and verification pins both, so a
 * download link never passes as an access token or the other way round (RFC 8725 §3.11, §3.12).
 */
export const TOKEN_KINDS = {
  /** Hybrid API access token (RFC 9068 `typ`): sent again on every request, so its verification is remembered. */
  access: { typ: 'at+jwt', audience: 'api', maxLifetimeSeconds: 15 * 60, remembered: true },
  /** Signed link to a purchased file: followed once or twice, verified in full each time. */
  download: { typ: 'download+jwt', audience: 'download', maxLifetimeSeconds: 2 * 60 * 60, remembered: false },
} as const;
export type TokenKind = keyof typeof TOKEN_KINDS;

/** API.md: clock tolerance on every token is at most 5 s. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** Longer than any token we issue (a few hundred bytes); cheap refusal of junk before any parsing. */
const MAX_TOKEN_LENGTH = 4096;

/** Access tokens whose verification is remembered (heap per token: `node --expose-gc bench/micro/remembered-tokens.mjs`). */
const REMEMBERED_TOKENS = 4_096;

/** Header parameters that would let a token choose its own verification key; we never accept them. */
const KEY_CHOOSING_HEADERS = ['jku', 'jwk', 'x5u', 'x5c'] as const;

export interface IssuedJwt {
  token: string;
  jti: string;
  /** Epoch ms. */
  expiresAt: number;
}

export type VerifiedClaims = JWTPayload & { sub: string; jti: string; exp: number; iat: number };

export type JwtVerification = { ok: true; claims: VerifiedClaims } | { ok: false; code: 'expired' | 'invalid' };

export interface JwtServiceOptions {
  keys: KeyRing;
  clock: Clock;
  issuer: string;
  random?: RandomSource;
}

/** Signs and verifies Heimdall's JWTs with jose; the only place that does. */
export class JwtService {
  readonly #keys: KeyRing;
  readonly #clock: Clock;
  readonly #issuer: string;
  readonly #random: RandomSource;
  readonly #verifiedAccess = new VerifiedTokens<VerifiedClaims>(REMEMBERED_TOKENS);

  constructor(options: JwtServiceOptions) {
    this.#keys = options.keys;
    this.#clock = options.clock;
    this.#issuer = options.issuer;
    this.#random = options.random ?? cryptoRandom;
  }

  get issuer(): string {
    return this.#issuer;
  }

  /** Signs `claims` as a token of `kind` for `subject`, living `lifetimeSeconds` (capped at the kind's maximum). */
  async sign(
    kind: TokenKind,
    subject: string,
    claims: Record<string, unknown>,
    lifetimeSeconds: number,
  ): Promise<IssuedJwt> {
    const spec = TOKEN_KINDS[kind];
    const { kid, alg, key } = this.#keys.signingKey();
    const iat = Math.floor(this.#clock.now() / 1000);
    const exp = iat + Math.max(1, Math.min(Math.floor(lifetimeSeconds), spec.maxLifetimeSeconds));
    const jti = generatePublicId(this.#random);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg, kid, typ: spec.typ })
      .setIssuer(this.#issuer)
      .setAudience(spec.audience)
      .setSubject(subject)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(key);
    return { token, jti, expiresAt: exp * 1000 };
  }

  /**
   * Verifies a token of `kind`: signature by one of our keys chosen by kid (its algorithm pinned), iss, aud, typ,
   * exp (required), nbf and iat, with at most 5 s tolerance. `expired` only for a genuine token past its exp.
   * An access token verified before is not verified again while its claims' time checks still pass and its key
   * still verifies (VerifiedTokens); its claims are frozen, shared by every request that sends it.
   */
  async verify(kind: TokenKind, token: string): Promise<JwtVerification> {
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, code: 'invalid' };
    const spec = TOKEN_KINDS[kind];
    const now = this.#clock.now();
    const remembered = spec.remembered ? this.#verifiedAccess.recall(token, now) : undefined;
    if (remembered !== undefined) {
      if (this.#keys.verifies(remembered.kid)) return { ok: true, claims: remembered.claims };
      this.#verifiedAccess.forget(token);
    }
    try {
      const { payload, protectedHeader } = await jwtVerify(token, (header) => this.#resolveKey(header), {
        issuer: this.#issuer,
        audience: spec.audience,
        typ: spec.typ,
        algorithms: [...SIGNING_ALGORITHMS],
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        maxTokenAge: spec.maxLifetimeSeconds,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(now),
      });
      if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string') return { ok: false, code: 'invalid' };
      const claims = Object.freeze(payload) as VerifiedClaims;
      if (spec.remembered) {
        // jose refuses once exp <= now - tolerance or now - iat > maximum age + tolerance (whole seconds of now).
        const until = Math.min(claims.exp, claims.iat + spec.maxLifetimeSeconds) + CLOCK_TOLERANCE_SECONDS;
        const kid = protectedHeader.kid as string;
        this.#verifiedAccess.remember(token, { claims, kid, verifiedAt: now, reuseUntil: until * 1000 });
      }
      return { ok: true, claims };
    } catch (error) {
      return { ok: false, code: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
  }

  async #resolveKey(header: JWTHeaderParameters) {
    if (KEY_CHOOSING_HEADERS.some((name) => name in header)) {
      throw new errors.JWSInvalid('key-choosing header parameters are not accepted');
    }
    // kid only selects among our own keys, and each key verifies only the algorithm it was made for.
    const key = typeof header.kid === 'string' ? await this.#keys.verificationKey(header.kid) : null;
    if (!key || key.alg !== header.alg) throw new errors.JWKSNoMatchingKey();
    return key.key;
  }
}
