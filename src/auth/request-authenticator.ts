import type { BearerResult } from '../core/bearer-authenticator.js';
import type { Clock } from '../core/clock.js';
import { HeimdallError } from '../core/errors.js';
import type { Session } from '../core/session.js';
import type { Authenticated, ClientInfo } from '../core/session-service.js';
import { safeEqual } from '../core/tokens.js';
import { clientOf, hasBearerHeader, isUnsafeMethod, type RequestFacts, readCookie } from './request-facts.js';

export type { RequestFacts } from './request-facts.js';

/**
 * The one request-authentication path. Heimdall's own routes (Fastify guards), forward auth (GET /auth/verify) and
 * the embedding adapters (`heimdall-auth/fastify`, `heimdall-auth/express`) all call this class, so a cookie, a Bearer token,
 * the CSRF rules and role checks mean exactly the same thing everywhere. It knows nothing of any HTTP framework:
 * each caller describes its request as RequestFacts.
 */

export type AuthScheme = 'cookie' | 'bearer';

/** Who the request's credential stands for, before any CSRF or role rule. */
export type Identification =
  | { scheme: AuthScheme; auth: Authenticated; failure: null; staleCookie: false }
  | {
      /** null: no credential at all. */
      scheme: AuthScheme | null;
      auth: null;
      failure: 'unauthenticated' | 'token_expired';
      /** A cookie was sent that stands for no live session: the caller should clear it. */
      staleCookie: boolean;
    };

export type Verdict =
  | { ok: true; scheme: AuthScheme; auth: Authenticated }
  | {
      ok: false;
      error: HeimdallError;
      staleCookie: boolean;
      /** `WWW-Authenticate` value for a refused Bearer token (RFC 6750 §3), so clients know to refresh. */
      challenge: string | null;
    };

export interface AuthorizeOptions {
  /**
   * Refuse with 403 `forbidden` unless the user holds this role, or every one of these roles (read from the source of
   * truth this request). Absent or empty: any live session.
   */
  role?: string | readonly string[];
  /**
   * Refuse with 403 `reauthentication_required` unless a factor was proven on this cookie session within this many
   * milliseconds (step-up, API.md "Fresh authentication"). A Bearer access token never counts as recent: it is for
   * reading and ordinary calls, never for changing how an account is protected.
   */
  recentWithinMs?: number;
}

/** The parts of SessionService and BearerAuthenticator this needs. */
export interface CredentialValidators {
  sessions: { validate(secret: string, client?: ClientInfo): Promise<Authenticated | null> };
  bearer: { authenticate(accessToken: string): Promise<BearerResult> };
}

/** The part of DeviceBindingService the hot path needs: is this bound session's cookie valid now? */
export interface DeviceBindingCheck {
  accepts(session: Session, boundCookie: string | undefined): boolean;
}

export interface RequestAuthenticatorOptions extends CredentialValidators {
  clock: Clock;
  cookieName: string;
  /**
   * DBSC (API.md "Device-bound sessions"): a session bound to a device key is accepted only with a valid bound
   * cookie named `boundCookieName`. Absent (DBSC=off): bindings are not enforced.
   */
  deviceBinding?: { check: DeviceBindingCheck; boundCookieName: string };
  /** Origins other than the request's own that may make changes (HEIMDALL_ORIGINS, HEIMDALL_PUBLIC_URL). */
  allowedOrigins: string[];
  /** MFA_REQUIRED_ROLES: a role's routes refuse its holders until they enrol a second factor. */
  mfaRequiredRoles?: readonly string[];
}

export class RequestAuthenticator {
  readonly #validators: CredentialValidators;
  readonly #clock: Clock;
  readonly #cookieName: string;
  readonly #deviceBinding: RequestAuthenticatorOptions['deviceBinding'];
  readonly #allowedOrigins: Set<string>;
  readonly #mfaRequiredRoles: Set<string>;

  constructor(options: RequestAuthenticatorOptions) {
    this.#validators = { sessions: options.sessions, bearer: options.bearer };
    this.#clock = options.clock;
    this.#cookieName = options.cookieName;
    this.#deviceBinding = options.deviceBinding;
    this.#allowedOrigins = new Set(options.allowedOrigins.map((o) => o.toLowerCase()));
    this.#mfaRequiredRoles = new Set(options.mfaRequiredRoles ?? []);
  }

  /**
   * The live session (or API token family) behind the request's credential. A request with `Authorization: Bearer`
   * is judged by its token alone and never falls back to a cookie that came along: CSRF checks skip Bearer
   * requests on that basis.
   *
   * A cookie session bound to a device (DBSC) also needs its bound cookie, checked here once for every route, forward
   * auth and the embedding adapters; without it the session is not refused for good (the browser renews the cookie by
   * refreshing), so the session cookie is not cleared. `ignoreDeviceBinding` is for the refresh endpoint alone.
   */
  async identify(
    facts: Pick<RequestFacts, 'headers' | 'ip'>,
    options: { ignoreDeviceBinding?: boolean } = {},
  ): Promise<Identification> {
    if (hasBearerHeader(facts.headers)) {
      const token = (facts.headers.authorization ?? '').slice('bearer'.length).trim();
      const result = await this.#validators.bearer.authenticate(token);
      if (result.ok) return { scheme: 'bearer', auth: result.auth, failure: null, staleCookie: false };
      return { scheme: 'bearer', auth: null, failure: result.code, staleCookie: false };
    }
    const secret = readCookie(facts.headers.cookie, this.#cookieName);
    if (!secret) return { scheme: null, auth: null, failure: 'unauthenticated', staleCookie: false };
    const auth = await this.#validators.sessions.validate(secret, clientOf(facts));
    if (auth && auth.session.deviceKey !== null && this.#deviceBinding && !options.ignoreDeviceBinding) {
      const bound = readCookie(facts.headers.cookie, this.#deviceBinding.boundCookieName);
      if (!this.#deviceBinding.check.accepts(auth.session, bound)) {
        return { scheme: 'cookie', auth: null, failure: 'unauthenticated', staleCookie: false };
      }
    }
    if (auth) return { scheme: 'cookie', auth, failure: null, staleCookie: false };
    return { scheme: 'cookie', auth: null, failure: 'unauthenticated', staleCookie: true };
  }

  /**
   * First line of CSRF defence, for every unsafe request without a Bearer token, before any body is read: the
   * Origin, when the browser sends one, must be the request's own or an allowed one (`null` never is), and Fetch
   * Metadata must not say cross-site.
   */
  checkOrigin(facts: RequestFacts): HeimdallError | null {
    if (!isUnsafeMethod(facts.method) || hasBearerHeader(facts.headers)) return null;
    const origin = facts.headers.origin;
    if (origin !== undefined) {
      const normalised = origin.toLowerCase();
      if (normalised === 'null' || (!this.#allowedOrigins.has(normalised) && normalised !== facts.ownOrigin)) {
        return new HeimdallError('csrf_failed', 'This origin may not make changes here.');
      }
    }
    if (facts.headers['sec-fetch-site'] === 'cross-site') {
      return new HeimdallError('csrf_failed', 'Cross-site requests may not make changes here.');
    }
    return null;
  }

  /** Second line: an unsafe cookie request must send back the session's anti-CSRF token (constant-time compare). */
  checkCsrfToken(facts: RequestFacts, auth: Authenticated): HeimdallError | null {
    if (!isUnsafeMethod(facts.method) || hasBearerHeader(facts.headers)) return null;
    const sent = facts.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !safeEqual(sent, auth.session.csrfToken)) {
      return new HeimdallError('csrf_failed', 'Missing or wrong x-csrf-token header; read it from GET /api/session.');
    }
    return null;
  }

  /** Step-up: null when the session proved a factor recently enough, else the refusal. */
  checkRecentProof(scheme: AuthScheme, auth: Authenticated, withinMs: number): HeimdallError | null {
    if (scheme === 'cookie' && this.#clock.now() - auth.session.authenticatedAt <= withinMs) return null;
    return new HeimdallError(
      'reauthentication_required',
      scheme === 'bearer'
        ? 'An access token cannot do this; use a signed-in session and confirm it is you.'
        : undefined,
      { details: { maxAgeSeconds: Math.floor(withinMs / 1000) } },
    );
  }

  /**
   * The role check: 403 `forbidden` without the role; 403 `second_factor_required` when the role is one of
   * MFA_REQUIRED_ROLES and its holder has not enrolled a second factor (every way in then asks for it, so holding
   * one is what makes the role's sessions two-factor).
   */
  checkRole(auth: Authenticated, role: string): HeimdallError | null {
    if (!auth.user.roles.includes(role)) return new HeimdallError('forbidden', `This needs the "${role}" role.`);
    if (this.#mfaRequiredRoles.has(role) && auth.user.secondFactors.length === 0) {
      return new HeimdallError(
        'second_factor_required',
        `The "${role}" role needs a second factor: set up an authenticator app or a passkey first.`,
        { status: 403 },
      );
    }
    return null;
  }

  /** Every role must pass checkRole; the first refusal is the answer. */
  checkRoles(auth: Authenticated, roles: readonly string[]): HeimdallError | null {
    const missing = roles.find((role) => !auth.user.roles.includes(role));
    if (missing !== undefined) return this.checkRole(auth, missing);
    for (const role of roles) {
      const refusal = this.checkRole(auth, role);
      if (refusal) return refusal;
    }
    return null;
  }

  /** True when the role's routes refuse holders without a second factor (MFA_REQUIRED_ROLES). */
  requiresSecondFactor(role: string): boolean {
    return this.#mfaRequiredRoles.has(role);
  }

  /**
   * From an identification to a verdict: 401 without a live session, then the CSRF token, then the role, then how
   * recent the session's proof is.
   */
  authorize(facts: RequestFacts, identification: Identification, options: AuthorizeOptions = {}): Verdict {
    if (!identification.auth) {
      const bearer = identification.scheme === 'bearer';
      return {
        ok: false,
        error: new HeimdallError(bearer ? identification.failure : 'unauthenticated'),
        staleCookie: identification.staleCookie,
        challenge: bearer ? 'Bearer error="invalid_token"' : null,
      };
    }
    const refusal =
      this.checkCsrfToken(facts, identification.auth) ??
      (options.role !== undefined ? this.checkRoles(identification.auth, [options.role].flat()) : null) ??
      (options.recentWithinMs !== undefined
        ? this.checkRecentProof(identification.scheme, identification.auth, options.recentWithinMs)
        : null);
    if (refusal) return { ok: false, error: refusal, staleCookie: false, challenge: null };
    return { ok: true, scheme: identification.scheme, auth: identification.auth };
  }

  /** The whole path in one call (forward auth, embedding): Origin and Fetch Metadata, credential, CSRF token, role. */
  async verify(facts: RequestFacts, options: AuthorizeOptions = {}): Promise<Verdict> {
    const refusal = this.checkOrigin(facts);
    if (refusal) return { ok: false, error: refusal, staleCookie: false, challenge: null };
    return this.authorize(facts, await this.identify(facts), options);
  }
}

/** What the authenticator needs of the configuration (Config satisfies it). */
export interface AuthenticatorSettings {
  cookieName: string;
  /** DBSC: whether device bindings are enforced. */
  dbsc?: { enabled: boolean };
  /** HEIMDALL_ORIGINS. */
  origins: string[];
  /** HEIMDALL_PUBLIC_URL: Heimdall's own origin as its users reach it. */
  publicUrl: string;
  /** MFA_REQUIRED_ROLES. */
  mfaRequiredRoles?: readonly string[];
}

/** The request authenticator over the configured validators: the same for Heimdall's routes and embedding hosts. */
export function createRequestAuthenticator(
  validators: CredentialValidators & { clock: Clock; deviceBinding?: DeviceBindingCheck },
  settings: AuthenticatorSettings,
): RequestAuthenticator {
  const enforceBinding = validators.deviceBinding !== undefined && settings.dbsc?.enabled !== false;
  return new RequestAuthenticator({
    sessions: validators.sessions,
    bearer: validators.bearer,
    clock: validators.clock,
    cookieName: settings.cookieName,
    ...(enforceBinding
      ? { deviceBinding: { check: validators.deviceBinding!, boundCookieName: boundCookieName(settings.cookieName) } }
      : {}),
    allowedOrigins: [...settings.origins, settings.publicUrl],
    mfaRequiredRoles: settings.mfaRequiredRoles ?? [],
  });
}

/** The bound cookie's name beside the session cookie's: `__Host-heimdall` → `__Host-heimdall-bound`. */
export function boundCookieName(sessionCookieName: string): string {
  return `${sessionCookieName}-bound`;
}
