import type { SessionWatcher } from './anomaly.js';
import { type AuditTrail, silentAuditTrail } from './audit.js';
import type { Clock } from './clock.js';
import { type GeoLookup, noGeoLookup } from './device.js';
import type { EventBus } from './events.js';
import { type Revocation, SessionRevoker } from './revocation.js';
import type { AuthMethod, ClientInfo, Session, SessionStore } from './session.js';
import {
  type CreateSessionOptions,
  newSessionRecord,
  reprovedSessionRecord,
  type SessionPolicy,
} from './session-records.js';
import { cryptoRandom, generateSecret, hashToken, looksLikeSecret, type RandomSource } from './tokens.js';
import type { User, UserRepository } from './user.js';

export type { Revocation, RevocationReason } from './revocation.js';
export type { ClientInfo } from './session.js';
export type { CreateSessionOptions, SessionPolicy } from './session-records.js';

/** A new session and the secret that proves it; the secret exists only here and in the client's cookie. */
export interface IssuedSession {
  session: Session;
  secret: string;
}

export interface Authenticated {
  session: Session;
  user: User;
  /**
   * When the credential presented with this request dies, if before the session's absolute expiry: a Bearer access
   * token's `exp`. What the request mints (download links) must not outlive it.
   */
  credentialExpiresAt?: number;
}

export interface SessionServiceOptions {
  store: SessionStore;
  users: UserRepository;
  clock: Clock;
  policy: SessionPolicy;
  random?: RandomSource;
  geo?: GeoLookup;
  audit?: AuditTrail;
  /** Told when activity moves a session to another country (anomaly detection). */
  watcher?: SessionWatcher;
  /** Where `session.revoked` is announced, so open event streams of ended sessions close at once. */
  events?: EventBus;
  /** How sessions end (deleted, announced, audited), when shared with the anomaly policy; else one over `store`. */
  revoker?: SessionRevoker;
}

/** A re-check of a session already in hand, without sliding its idle expiry (see SessionService.recheck). */
export type RecheckResult = { ok: true; auth: Authenticated } | { ok: false; code: 'expired' | 'revoked' };

/** The most often activity is written back: once a minute, or a third of the idle timeout if that is shorter. */
const MAX_TOUCH_INTERVAL_MS = 60_000;

/** Creates, validates, slides, rotates and revokes server-side sessions. */
export class SessionService {
  readonly #store: SessionStore;
  readonly #users: UserRepository;
  readonly #clock: Clock;
  readonly #policy: SessionPolicy;
  readonly #random: RandomSource;
  readonly #geo: GeoLookup;
  readonly #audit: AuditTrail;
  readonly #watcher: SessionWatcher | undefined;
  readonly #revoker: SessionRevoker;

  constructor(options: SessionServiceOptions) {
    this.#store = options.store;
    this.#users = options.users;
    this.#clock = options.clock;
    this.#policy = options.policy;
    this.#random = options.random ?? cryptoRandom;
    this.#geo = options.geo ?? noGeoLookup;
    this.#audit = options.audit ?? silentAuditTrail(options.clock);
    this.#watcher = options.watcher;
    this.#revoker =
      options.revoker ??
      new SessionRevoker({
        store: options.store,
        users: options.users,
        clock: options.clock,
        audit: this.#audit,
        events: options.events,
      });
  }

  async create(user: User, client: ClientInfo, options: CreateSessionOptions): Promise<IssuedSession> {
    const secret = generateSecret(this.#random);
    const session = newSessionRecord(user, client, options, {
      now: this.#clock.now(),
      tokenHash: hashToken(secret),
      policy: this.#policy,
      random: this.#random,
      geo: this.#geo,
    });
    await this.#store.insert(session);
    if (this.#policy.maxPerUser !== undefined) {
      await this.#revoker.capSessions(user.id, this.#policy.maxPerUser, client);
    }
    return { session, secret };
  }

  /**
   * Resolves a cookie secret to a live session and its user, read fresh from the source of truth. Expired,
   * revoked and orphaned sessions resolve to null (and are deleted when found). Activity is written back at most
   * once per touch interval.
   */
  async validate(secret: string, client?: ClientInfo): Promise<Authenticated | null> {
    if (!looksLikeSecret(secret)) return null;
    const tokenHash = hashToken(secret);
    const session = await this.#store.findByTokenHash(tokenHash);
    if (!session) return null;
    const now = this.#clock.now();
    if (isExpired(session, now)) {
      await this.#store.delete(tokenHash);
      return null;
    }
    const user = await this.#users.findById(session.userId);
    if (!user || user.disabled || user.sessionVersion !== session.userVersion) {
      await this.#store.delete(tokenHash);
      return null;
    }
    if (now - session.lastSeenAt >= Math.min(MAX_TOUCH_INTERVAL_MS, session.idleTimeoutMs / 3)) {
      return { session: await this.#touch(session, now, client), user };
    }
    return { session, user };
  }

  /**
   * Is a session already in hand still live? Reads it again by its hash but, unlike validate(), never slides the
   * idle expiry: an open event stream is not user activity, so a forgotten tab must not keep a session alive.
   */
  async recheck(session: Session): Promise<RecheckResult> {
    const stored = await this.#store.findByTokenHash(session.tokenHash);
    if (!stored) return { ok: false, code: 'revoked' };
    if (isExpired(stored, this.#clock.now())) return { ok: false, code: 'expired' };
    const user = await this.#users.findById(stored.userId);
    if (!user || user.disabled || user.sessionVersion !== stored.userVersion) return { ok: false, code: 'revoked' };
    return { ok: true, auth: { session: stored, user } };
  }

  /** Records activity on a session validated elsewhere (an API token family at refresh) and slides its idle expiry. */
  recordActivity(session: Session, client: ClientInfo): Promise<Session> {
    return this.#touch(session, this.#clock.now(), client);
  }

  async #touch(session: Session, now: number, client: ClientInfo | undefined): Promise<Session> {
    const ip = client?.ip ?? session.ip;
    const activity = {
      lastSeenAt: now,
      idleExpiresAt: Math.min(now + session.idleTimeoutMs, session.absoluteExpiresAt),
      ip,
      country: ip === session.ip ? session.country : this.#geo.countryOf(ip),
    };
    await this.#store.touch(session.tokenHash, activity);
    const moved = { ...session, ...activity };
    // Only a move between two known countries is an anomaly; private and unknown addresses have no country.
    if (client && session.country && activity.country && activity.country !== session.country) {
      await this.#watcher?.countryChanged(moved, session.country, client);
    }
    return moved;
  }

  /** The user's live sessions, newest first. */
  async list(userId: string): Promise<Session[]> {
    const now = this.#clock.now();
    const sessions = await this.#store.listForUser(userId);
    return sessions.filter((s) => !isExpired(s, now)).sort((a, b) => b.createdAt - a.createdAt);
  }

  async findById(id: string): Promise<Session | null> {
    const session = await this.#store.findById(id);
    return session && !isExpired(session, this.#clock.now()) ? session : null;
  }

  /** Deletes the session a presented secret stands for, if any (sign-in over an old cookie, sign-out). */
  revokeBySecret(secret: string): Promise<void> {
    return this.#revoker.revokeBySecret(secret);
  }

  /** Deletes one session; with a revocation, records who ended it. */
  revoke(session: Session, revocation?: Revocation): Promise<void> {
    return this.#revoker.revoke(session, revocation);
  }

  /** Deletes every other session of the session's user; returns how many. */
  revokeOthers(current: Session, client?: ClientInfo): Promise<number> {
    return this.#revoker.revokeOthers(current, client);
  }

  /** Ends every session of the user (version bump first, then the deletes). */
  revokeAll(userId: string, revocation?: Revocation): Promise<{ revoked: number; user: User | null }> {
    return this.#revoker.revokeAll(userId, revocation);
  }

  /** Ends the sessions of a deleted account (see SessionRevoker.endDeletedAccount). */
  endDeletedAccount(userId: string, sessionIds: string[], revocation: Revocation): Promise<number> {
    return this.#revoker.endDeletedAccount(userId, sessionIds, revocation);
  }

  /** Deletes the stored records of a user whose sessionVersion was already bumped (password change). */
  dropStored(userId: string, rotatingId?: string): Promise<number> {
    return this.#revoker.dropStored(userId, rotatingId);
  }

  /**
   * Replaces a session with a fresh id and secret (fixation defence); the old one is deleted first. Not announced:
   * the client making this request reopens its event stream with the new cookie, and an event racing the response
   * that carries that cookie would make its other tabs check in with the old one. Heartbeats close stale streams.
   * The rotation is itself a proof (a password change asks for the current password): `methods` are what was just
   * proven, added to what the session already held.
   */
  async rotate(
    session: Session,
    user: User,
    client: ClientInfo,
    methods: readonly AuthMethod[] = [],
  ): Promise<IssuedSession> {
    await this.#store.delete(session.tokenHash);
    return this.create(user, client, {
      methods: [...session.methods, ...methods],
      rememberMe: session.rememberMe,
      kind: session.kind,
      provider: session.provider,
      // The replacement keeps the lifetimes of what it replaces (an API token family keeps the family's).
      idleTimeoutMs: session.idleTimeoutMs,
      absoluteTimeoutMs: session.absoluteExpiresAt - session.createdAt,
    });
  }

  /**
   * Re-authentication (API.md, "Fresh authentication"): the session keeps its public id, lifetimes and device
   * binding, but gets a new secret and CSRF token — its privileges rise, so whatever copy of the old cookie exists
   * stops working — and counts as proven now by `methods`, added to what it already held. The old record is deleted
   * before the new one is written (the id is unique): a crash in between signs the user out, never leaves two.
   */
  async reprove(session: Session, user: User, methods: readonly AuthMethod[]): Promise<IssuedSession> {
    const secret = generateSecret(this.#random);
    const proven = reprovedSessionRecord(session, user, methods, {
      now: this.#clock.now(),
      tokenHash: hashToken(secret),
      random: this.#random,
    });
    await this.#store.delete(session.tokenHash);
    await this.#store.insert(proven);
    return { session: proven, secret };
  }

  /** Binds a live session to a device key (DBSC) in place; false when the session is gone. */
  bindDevice(session: Session, deviceKey: string): Promise<boolean> {
    return this.#store.update(session.tokenHash, { deviceKey });
  }

  async pruneExpired(): Promise<number> {
    return this.#store.pruneExpired(this.#clock.now());
  }
}

export function isExpired(session: Session, now: number): boolean {
  return now >= session.idleExpiresAt || now >= session.absoluteExpiresAt;
}
