import type { Clock } from './clock.js';
import type { DenyList } from './deny-list.js';
import type { JwtService } from './jwt-service.js';
import type { SessionStore } from './session.js';
import type { Authenticated } from './session-service.js';
import type { UserRepository } from './user.js';

export type BearerResult = { ok: true; auth: Authenticated } | { ok: false; code: 'token_expired' | 'unauthenticated' };

export interface BearerAuthenticatorOptions {
  jwt: JwtService;
  denyList: DenyList;
  /**
   * Where families are read: the configured store with its coherent in-process cache, so that a Bearer request needs
   * no round trip and a family deleted anywhere (even directly in SQL or Redis) is refused at once.
   */
  sessions: SessionStore;
  users: UserRepository;
  clock: Clock;
}

/**
 * The Bearer hot path: verify the access JWT against our imported keys, refuse a denied family from memory, then
 * read the user — roles and sessionVersion — from the source of truth, never from the token.
 */
export class BearerAuthenticator {
  readonly #jwt: JwtService;
  readonly #denyList: DenyList;
  readonly #sessions: SessionStore;
  readonly #users: UserRepository;
  readonly #clock: Clock;

  constructor(options: BearerAuthenticatorOptions) {
    this.#jwt = options.jwt;
    this.#denyList = options.denyList;
    this.#sessions = options.sessions;
    this.#users = options.users;
    this.#clock = options.clock;
  }

  async authenticate(accessToken: string): Promise<BearerResult> {
    const verified = await this.#jwt.verify('access', accessToken);
    if (!verified.ok) return { ok: false, code: verified.code === 'expired' ? 'token_expired' : 'unauthenticated' };
    const { sub, sid, exp } = verified.claims;
    if (typeof sid !== 'string' || this.#denyList.isDenied(sid)) return { ok: false, code: 'unauthenticated' };
    const family = await this.#sessions.findById(sid);
    if (family?.kind !== 'api' || family.userId !== sub || this.#clock.now() >= family.absoluteExpiresAt) {
      return { ok: false, code: 'unauthenticated' };
    }
    const user = await this.#users.findById(sub);
    // A version bump (sign-out everywhere, password change, admin revocation) ends every family of the user here,
    // on every instance, with no deny-list entry needed.
    if (!user || user.disabled || user.sessionVersion !== family.userVersion) {
      return { ok: false, code: 'unauthenticated' };
    }
    return { ok: true, auth: { session: family, user, credentialExpiresAt: exp * 1000 } };
  }
}
