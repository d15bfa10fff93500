import type { Clock } from './clock.js';
import type { FamilyCache } from './family-cache.js';
import type { JwtService } from './jwt-service.js';
import type { RefreshTokenRecord, RefreshTokenStore } from './refresh-token.js';
import type { Session } from './session.js';
import type { ClientInfo, SessionService } from './session-service.js';
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

export type RefreshResult =
  | { ok: true; pair: TokenPair }
  | { ok: false; code: 'unauthenticated' }
  | { ok: false; code: 'token_reused'; family: Session };

export interface ApiTokenServiceOptions {
  sessions: SessionService;
  users: UserRepository;
  refreshTokens: RefreshTokenStore;
  jwt: JwtService;
  families: FamilyCache;
  clock: Clock;
  policy: ApiTokenPolicy;
  random?: RandomSource;
}

/**
 * Hybrid API tokens: a short-lived access JWT plus an opaque, rotating refresh token. A family is a session
 * record of kind `api`, so it is listed, revoked and signed out exactly like a cookie session.
 */
export class ApiTokenService {
  readonly #sessions: SessionService;
  readonly #users: UserRepository;
  readonly #refreshTokens: RefreshTokenStore;
  readonly #jwt: JwtService;
  readonly #families: FamilyCache;
  readonly #clock: Clock;
  readonly #policy: ApiTokenPolicy;
  readonly #random: RandomSource;

  constructor(options: ApiTokenServiceOptions) {
    this.#sessions = options.sessions;
    this.#users = options.users;
    this.#refreshTokens = options.refreshTokens;
    this.#jwt = options.jwt;
    this.#families = options.families;
    this.#clock = options.clock;
    this.#policy = options.policy;
    this.#random = options.random ?? cryptoRandom;
  }

  /** Starts a new family for the user and issues its first pair. */
  async issue(user: User, client: ClientInfo): Promise<TokenPair> {
    const { session } = await this.#sessions.create(user, client, {
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
    this.#families.set(family);
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
    if (!looksLikeSecret(refreshToken)) return { ok: false, code: 'unauthenticated' };
    const spent = await this.#refreshTokens.spend(hashToken(refreshToken), this.#clock.now());
    if (spent.outcome !== 'spent' && spent.outcome !== 'reused') return { ok: false, code: 'unauthenticated' };
    const live = await this.#liveFamily(spent.token);
    if (!live) return { ok: false, code: 'unauthenticated' };
    if (spent.outcome === 'reused') {
      await this.#endFamily(live.family);
      return { ok: false, code: 'token_reused', family: live.family };
    }
    const family = await this.#sessions.recordActivity(live.family, client);
    return { ok: true, pair: await this.issueForFamily(family, live.user) };
  }

  /** Ends the family of any of its refresh tokens (RFC 7009: unknown tokens are not an error). */
  async revoke(refreshToken: string): Promise<void> {
    if (!looksLikeSecret(refreshToken)) return;
    const token = await this.#refreshTokens.find(hashToken(refreshToken));
    if (!token) return;
    const family = await this.#sessions.findById(token.familyId);
    if (family && family.kind === 'api' && family.userId === token.userId) await this.#endFamily(family);
    else await this.#refreshTokens.deleteFamily(token.familyId);
  }

  async pruneExpired(): Promise<number> {
    return this.#refreshTokens.pruneExpired(this.#clock.now());
  }

  async #endFamily(family: Session): Promise<void> {
    // Through SessionService, so the deny list learns of it like any other revocation.
    await this.#sessions.revoke(family);
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
