import type { AuditClient, AuditTrail } from './audit.js';
import type { BoundCookieSigner } from './bound-cookie.js';
import type { CeremonyPurpose, ChallengeStore } from './ceremonies.js';
import type { Clock } from './clock.js';
import {
  boundAtOf,
  checkRefreshProof,
  checkRegistrationProof,
  serializeDeviceKey,
  thumbprintOf,
} from './dbsc-proof.js';
import type { Session } from './session.js';
import { generateSecret, hashToken, type RandomSource } from './tokens.js';

/**
 * Device-bound sessions (W3C Device Bound Session Credentials; API.md "Device-bound sessions"). At sign-in the
 * browser is offered a registration challenge; it answers with a proof signed by a key it cannot export, and the
 * session is bound to that public key. From then on the session is accepted only with a short-lived bound cookie,
 * which only a refresh signed by the same key renews. Challenges live in the shared ChallengeStore (SQL), so any
 * instance can answer a refresh another instance challenged; each is single use and dies after CHALLENGE_TTL_MS.
 */

/** How long a challenge answers: "issued in the last few minutes" (API.md). */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/**
 * How long past its expiry a bound cookie is still accepted: a request sent with the cookie just before it expired
 * may arrive just after, and browser and server clocks differ. (Chromium refreshes before the expiry and holds back
 * requests meanwhile; see docs/sessions.md.) Ten seconds is small against the cookie's life.
 */
export const BOUND_COOKIE_GRACE_MS = 10_000;
/**
 * The same grace right after binding, for requests without a bound cookie: registration runs in the background, so
 * requests the browser sent before the registration's answer (which sets the first bound cookie) arrive without
 * one. Seen once in Chromium 156 (test/e2e/device-bound-sessions.test.ts, before this grace): a page's request right
 * after sign-in was refused with 401.
 */
export const BINDING_GRACE_MS = 10_000;

/** A new bound cookie: its value and when it expires (epoch ms). */
export interface BoundCookie {
  value: string;
  expiresAt: number;
}

export type BindingFailure =
  /** invalid_request: a malformed proof (400); forbidden: a proof that does not answer (403), maybe audited. */
  | { ok: false; code: 'invalid_request' | 'forbidden'; message: string; challenge?: string }
  /** The session ended between authentication and binding. */
  | { ok: false; code: 'unauthenticated'; message: string };

export type BindingResult = { ok: true; cookie: BoundCookie } | BindingFailure;

export interface DeviceBindingOptions {
  challenges: ChallengeStore;
  sessions: { bindDevice(session: Session, deviceKey: string): Promise<boolean> };
  signer: BoundCookieSigner;
  clock: Clock;
  random: RandomSource;
  audit: AuditTrail;
  /** DBSC_COOKIE_TTL in milliseconds. */
  cookieTtlMs: number;
}

export class DeviceBindingService {
  readonly #challenges: ChallengeStore;
  readonly #sessions: DeviceBindingOptions['sessions'];
  readonly #signer: BoundCookieSigner;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #audit: AuditTrail;
  readonly #cookieTtlMs: number;

  constructor(options: DeviceBindingOptions) {
    this.#challenges = options.challenges;
    this.#sessions = options.sessions;
    this.#signer = options.signer;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#audit = options.audit;
    this.#cookieTtlMs = options.cookieTtlMs;
  }

  /**
   * The hot path: may this bound session be used with this bound cookie? One HMAC, no lookup. Sessions that are
   * not bound never get here (the caller checks `deviceKey` first).
   */
  accepts(session: Session, cookie: string | undefined): boolean {
    const now = this.#clock.now();
    if (this.#signer.verify(session.id, cookie, now, BOUND_COOKIE_GRACE_MS)) return true;
    // Only on the refusal path: was the session bound a moment ago, its first bound cookie still on its way?
    const boundAt = session.deviceKey === null ? null : boundAtOf(session.deviceKey);
    return boundAt !== null && now >= boundAt && now - boundAt < BINDING_GRACE_MS;
  }

  /** A registration challenge for a session just signed in (the `Secure-Session-Registration` header's). */
  offerRegistration(session: Session): Promise<string> {
    return this.#issue('dbsc-register', session);
  }

  /** A refresh challenge (the 403's `Secure-Session-Challenge`). */
  challengeRefresh(session: Session): Promise<string> {
    return this.#issue('dbsc-refresh', session);
  }

  /** Binds the session to the proof's key when the proof answers this session's registration challenge. */
  async register(session: Session, proof: string, client: AuditClient): Promise<BindingResult> {
    const check = await checkRegistrationProof(proof);
    if (!check.ok) return refusal(check.reason, check.message);
    if (!(await this.#takeChallenge('dbsc-register', session, check.jti))) {
      return { ok: false, code: 'forbidden', message: 'The proof does not answer a live registration challenge.' };
    }
    if (!(await this.#sessions.bindDevice(session, serializeDeviceKey(check.key, this.#clock.now())))) {
      return { ok: false, code: 'unauthenticated', message: 'The session has ended.' };
    }
    await this.#audit.record('session.device_bound', client, {
      userId: session.userId,
      sessionId: session.id,
      details: { thumbprint: thumbprintOf(check.key) },
    });
    return { ok: true, cookie: this.#cookieFor(session) };
  }

  /**
   * A new bound cookie when the proof is signed by the session's stored key over a live refresh challenge. A proof
   * signed by any other key is refused and audited (someone holds the session cookie but not the key); a proof over
   * a used or stale challenge is answered with a fresh challenge, which the browser signs and retries with.
   */
  async refresh(session: Session, proof: string, client: AuditClient): Promise<BindingResult> {
    if (session.deviceKey === null) return { ok: false, code: 'forbidden', message: 'This session is not bound.' };
    const check = await checkRefreshProof(proof, session.deviceKey);
    if (!check.ok && check.reason === 'wrong_key') {
      await this.#audit.record('session.device_refresh_refused', client, {
        userId: session.userId,
        sessionId: session.id,
        details: { reason: 'wrong_key' },
      });
    }
    if (!check.ok) return refusal(check.reason, check.message);
    if (!(await this.#takeChallenge('dbsc-refresh', session, check.jti))) {
      return {
        ok: false,
        code: 'forbidden',
        message: 'The proof does not answer a live refresh challenge.',
        challenge: await this.challengeRefresh(session),
      };
    }
    return { ok: true, cookie: this.#cookieFor(session) };
  }

  #cookieFor(session: Session): BoundCookie {
    const expiresAt = this.#clock.now() + this.#cookieTtlMs;
    return { value: this.#signer.issue(session.id, expiresAt), expiresAt };
  }

  async #issue(purpose: CeremonyPurpose, session: Session): Promise<string> {
    const challenge = generateSecret(this.#random, 24);
    const now = this.#clock.now();
    await this.#challenges.put(
      {
        keyHash: keyOf(purpose, session),
        purpose,
        userId: session.userId,
        challenge,
        expiresAt: now + CHALLENGE_TTL_MS,
      },
      now,
    );
    return challenge;
  }

  /** Single use: the challenge is taken (deleted) whether or not it matches, so no proof answers it twice. */
  async #takeChallenge(purpose: CeremonyPurpose, session: Session, jti: string): Promise<boolean> {
    const stored = await this.#challenges.take(keyOf(purpose, session), purpose);
    return stored !== null && stored.challenge === jti && this.#clock.now() < stored.expiresAt;
  }
}

/** One outstanding challenge per session and purpose; a new one replaces the old. */
function keyOf(purpose: CeremonyPurpose, session: Session): string {
  return hashToken(`${purpose}:${session.id}`);
}

function refusal(reason: 'malformed' | 'wrong_key', message: string): BindingFailure {
  return { ok: false, code: reason === 'malformed' ? 'invalid_request' : 'forbidden', message };
}
