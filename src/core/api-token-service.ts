import type { AccountService } from './account-service.js';
import { type AuditTrail, silentAuditTrail } from './audit.js';
import type { Clock } from './clock.js';
import type { JwtService } from './jwt-service.js';
import { type ActionLimiter, unlimited } from './login-throttle.js';
import type { RefreshTokenRecord, RefreshTokenStore } from './refresh-token.js';
import type { SecondFactorService } from './second-factor-service.js';
import type { AuthMethod, Session } from './session.js';
import type { Authenticated, ClientInfo, Revocation, SessionService } from './session-service.js';
import { cryptoRandom, generateSecret, hashToken, looksLikeSecret, type RandomSource } from './tokens.js';
import type { User, UserRepository } from './user.js';

/** Lifetimes of hybrid API tokens, in milliseconds. */
export interface ApiTokenPolicy {
  /** Access JWT lifetime (API.md: at most 15 min). */
  accessTtlMs: number;
  /** A refresh token unused for this long dies, and with it the family. */
  refreshIdleMs: number;
  /** Absolute lifetime of a family, however often it is refreshed. */
  familyLifetimeMs: number;
}

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
  family: Session;
}

/** The per-address budget of the token endpoints is spent. */
export type TokenRefusal = { ok: false; code: 'rate_limited'; retryAfterMs: number };

export type IssueResult =
  | { ok: true; pair: TokenPair }
  | {
      ok: false;
      code: 'invalid_credentials' | 'account_disabled' | 'second_factor_required' | 'invalid_request';
      message?: string;
    }
  | TokenRefusal;

/** A second factor sent in the same body as the password (API.md: `totp` or `recoveryCode`). */
export type GrantFactor = { totp: string } | { recoveryCode: string };

export type RefreshResult =
  | { ok: true; pair: TokenPair }
  | { ok: false; code: 'unauthenticated' }
  | { ok: false; code: 'token_reused'; family: Session }
  | TokenRefusal;

export interface ApiTokenServiceOptions {
  sessions: SessionService;
  /** The sign-in check (throttle, audit, uniform answers) that a credential grant shares with login. */
  accounts: AccountService;
  /** Per-address budget of the token endpoints (`tokens`). */
  limits?: ActionLimiter;
  audit?: AuditTrail;
  users: UserRepository;
  refreshTokens: RefreshTokenStore;
  jwt: JwtService;
  clock: Clock;
  policy: ApiTokenPolicy;
  random?: RandomSource;
  /** Asks accounts with a second factor for it in the credentials grant (issue 17); absent: the password is enough. */
  secondFactors?: Pick<SecondFactorService, 'methodsOf' | 'verify'>;
}

/**
 * Hybrid API tokens: a short-lived access JWT plus an opaque, rotating refresh token. A family is a session
 * record of kind `api`, so it is listed, revoked and signed out exactly like a cookie session.
 */
export class ApiTokenService {
  readonly #sessions: SessionService;
  readonly #accounts: AccountService;
  readonly #limits: ActionLimiter;
  readonly #audit: AuditTrail;
  readonly #users: UserRepository;
  readonly #refreshTokens: RefreshTokenStore;
  readonly #jwt: JwtService;
  readonly #clock: Clock;
  readonly #policy: ApiTokenPolicy;
  readonly #random: RandomSource;
  readonly #secondFactors: Pick<SecondFactorService, 'methodsOf' | 'verify'> | undefined;

  constructor(options: ApiTokenServiceOptions) {
    this.#sessions = options.sessions;
    this.#accounts = options.accounts;
    this.#limits = options.limits ?? unlimited;
    this.#audit = options.audit ?? silentAuditTrail(options.clock);
    this.#users = options.users;
    this.#refreshTokens = options.refreshTokens;
    this.#jwt = options.jwt;
    this.#clock = options.clock;
    this.#policy = options.policy;
    this.#random = options.random ?? cryptoRandom;
    this.#secondFactors = options.secondFactors;
  }

  /**
   * POST /api/tokens with credentials: a new family for whoever proves the password — and, for an account with a
   * second factor, a code from its app or a recovery code in the same request (the second factor guards this way in
   * too; without one the answer is `second_factor_required`).
   */
  async issueWithCredentials(
    email: string,
    password: string,
    client: ClientInfo,
    factor?: GrantFactor,
  ): Promise<IssueResult> {
    const refused = await this.#spendBudget(client);
    if (refused) return refused;
    const checked = await this.#accounts.checkCredentials(email, password, client);
    if (!checked.ok) return checked;
    const methods: AuthMethod[] = ['password'];
    if (this.#secondFactors && (await this.#secondFactors.methodsOf(checked.user.id)).length > 0) {
      if (!factor) {
        return { ok: false, code: 'second_factor_required', message: 'Send totp or recoveryCode with the password.' };
      }
      const verified = await this.#secondFactors.verify(checked.user, factor, client, 'api_tokens', null);
      if (!verified.ok && verified.code === 'rate_limited') return verified;
      if (!verified.ok) return { ok: false, code: 'invalid_credentials', message: verified.message };
      methods.push(verified.method);
    }
    return { ok: true, pair: await this.#startFamily(checked.user, client, 'password', methods) };
  }

  /** POST /api/tokens from a cookie session: a new family for the session's user, proven as that session was. */
  async issueForSession(auth: Authenticated, client: ClientInfo): Promise<IssueResult> {
    const refused = await this.#spendBudget(client);
    if (refused) return refused;
    return { ok: true, pair: await this.#startFamily(auth.user, client, 'session', auth.session.methods) };
  }

  /** Starts a new family for the user and issues its first pair. */
  async issue(user: User, client: ClientInfo, methods: readonly AuthMethod[]): Promise<TokenPair> {
    const { session } = await this.#sessions.create(user, client, {
      methods,
      kind: 'api',
      idleTimeoutMs: this.#policy.refreshIdleMs,
      absoluteTimeoutMs: this.#policy.familyLifetimeMs,
    });
    // The session's own secret is dropped here: a family is proven by its refresh tokens, never by a cookie.
    return this.issueForFamily(session, user);
  }

  /** A fresh pair for an existing live family (its first, or after a password change rotated it). */
  async issueForFamily(family: Session, user: User): Promise<TokenPair> {
    const now = this.#clock.now();
    const refreshToken = generateSecret(this.#random);
    await this.#refreshTokens.insert({
      tokenHash: hashToken(refreshToken),
      familyId: family.id,
      userId: user.id,
      createdAt: now,
      expiresAt: Math.min(now + this.#policy.refreshIdleMs, family.absoluteExpiresAt),
      spentAt: null,
    });
    // An access token never outlives its family, so expiry alone ends it when the family expires.
    const lifetimeMs = Math.min(this.#policy.accessTtlMs, family.idleExpiresAt - now, family.absoluteExpiresAt - now);
    const access = await this.#jwt.sign(
      'access',
      user.id,
      { sid: family.id, roles: user.roles },
      Math.floor(lifetimeMs / 1000),
    );
    return {
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: Math.round((access.expiresAt - now) / 1000),
      refreshToken,
      family,
    };
  }

  /**
   * Exchanges a refresh token for a new pair (rotation). A spent token presented again while its family lives is
   * reuse — a stolen copy or a race — and the whole family is revoked (RFC 9700 §4.14.2).
   */
  async refresh(refreshToken: string, client: ClientInfo): Promise<RefreshResult> {
    const refused = await this.#spendBudget(client);
    if (refused) return refused;
    if (!looksLikeSecret(refreshToken)) return { ok: false, code: 'unauthenticated' };
    const spent = await this.#refreshTokens.spend(hashToken(refreshToken), this.#clock.now());
    if (spent.outcome !== 'spent' && spent.outcome !== 'reused') return { ok: false, code: 'unauthenticated' };
    const live = await this.#liveFamily(spent.token);
    if (!live) return { ok: false, code: 'unauthenticated' };
    if (spent.outcome === 'reused') {
      const { id: sessionId, userId } = live.family;
      await this.#audit.record('token.reused', client, { userId, sessionId });
      await this.#endFamily(live.family, { by: 'system', client });
      return { ok: false, code: 'token_reused', family: live.family };
    }
    const family = await this.#sessions.recordActivity(live.family, client);
    return { ok: true, pair: await this.issueForFamily(family, live.user) };
  }

  /** Ends the family of any of its refresh tokens (RFC 7009: unknown tokens are not an error). */
  async revoke(refreshToken: string, client: ClientInfo): Promise<{ ok: true } | TokenRefusal> {
    const refused = await this.#spendBudget(client);
    if (refused) return refused;
    const token = looksLikeSecret(refreshToken) ? await this.#refreshTokens.find(hashToken(refreshToken)) : null;
    if (!token) return { ok: true };
    const family = await this.#sessions.findById(token.familyId);
    if (family?.kind === 'api' && family.userId === token.userId) {
      await this.#endFamily(family, { by: 'user', actorId: token.userId, client });
    } else {
      await this.#refreshTokens.deleteFamily(token.familyId);
    }
    return { ok: true };
  }

  async pruneExpired(): Promise<number> {
    return this.#refreshTokens.pruneExpired(this.#clock.now());
  }

  async #startFamily(
    user: User,
    client: ClientInfo,
    via: 'password' | 'session',
    methods: readonly AuthMethod[],
  ): Promise<TokenPair> {
    const pair = await this.issue(user, client, methods);
    await this.#audit.record('auth.login', client, {
      userId: user.id,
      sessionId: pair.family.id,
      details: { method: 'api_tokens', via },
    });
    return pair;
  }

  async #spendBudget(client: ClientInfo): Promise<TokenRefusal | null> {
    const verdict = await this.#limits.consume('tokens', client.ip);
    if (verdict.allowed) return null;
    // One audit entry per blocking period, as for sign-in: a flood must not flood the log.
    if (verdict.firstRefusal) {
      await this.#audit.record('rate.limited', client, {
        details: { scope: verdict.scope, retryAfterSeconds: Math.ceil(verdict.retryAfterMs / 1000) },
      });
    }
    return { ok: false, code: 'rate_limited', retryAfterMs: verdict.retryAfterMs };
  }

  async #endFamily(family: Session, revocation: Revocation): Promise<void> {
    // Through SessionService, so the deny list and the audit log learn of it like any other revocation.
    await this.#sessions.revoke(family, revocation);
    await this.#refreshTokens.deleteFamily(family.id);
  }

  async #liveFamily(token: RefreshTokenRecord): Promise<{ family: Session; user: User } | null> {
    const family = await this.#sessions.findById(token.familyId);
    if (family?.kind !== 'api' || family.userId !== token.userId) return null;
    const user = await this.#users.findById(token.userId);
    if (!user || user.disabled || user.sessionVersion !== family.userVersion) return null;
    return { family, user };
  }
}
