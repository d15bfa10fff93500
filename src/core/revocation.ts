import type { AuditTrail } from './audit.js';
import type { Clock } from './clock.js';
import type { EventBus } from './events.js';
import type { ClientInfo, Session, SessionStore } from './session.js';
import { hashToken, looksLikeSecret } from './tokens.js';
import type { User, UserRepository } from './user.js';

/** Who ended a session and from where, for the audit log. `logout` is recorded as `auth.logout`. */
export interface Revocation {
  /** `session_limit`: SESSION_MAX_PER_USER ended the account's oldest session when a new one began. */
  by: 'logout' | 'user' | 'admin' | 'anomaly' | 'system' | 'session_limit';
  /** The user who did it (the owner, or an admin). */
  actorId?: string | null;
  client?: ClientInfo | null;
}

/** Why sessions ended, sent with `session.revoked` so the client can say what happened. */
export type RevocationReason =
  | 'signed_out'
  | 'revoked'
  | 'signed_out_everywhere'
  | 'password_changed'
  | 'replaced'
  | 'admin'
  | 'anomaly'
  | 'session_limit'
  | 'account_deleted'
  | 'expired';

/** What a client is told about a revocation: who ended it, and whether it was one session or all of them. */
export function reasonFor(revocation: Revocation | undefined, scope: 'one' | 'all'): RevocationReason {
  switch (revocation?.by) {
    case 'logout':
      return scope === 'all' ? 'signed_out_everywhere' : 'signed_out';
    case 'admin':
      return 'admin';
    case 'anomaly':
      return 'anomaly';
    case 'session_limit':
      return 'session_limit';
    default:
      return 'revoked';
  }
}

/** Writes one revocation to the audit log: a sign-out as `auth.logout`, anything else as `session.revoked`. */
export function recordRevocation(
  audit: AuditTrail,
  revocation: Revocation,
  subject: { userId: string; sessionId?: string; details?: Record<string, unknown> },
): Promise<void> {
  return audit.record(revocation.by === 'logout' ? 'auth.logout' : 'session.revoked', revocation.client ?? null, {
    userId: subject.userId,
    sessionId: subject.sessionId ?? null,
    details: { by: revocation.by, actorId: revocation.actorId ?? null, ...subject.details },
  });
}

/**
 * Tells a user's open event streams that some of their sessions ended (`session.revoked`), so those streams close at
 * once. Events name the sessions one by one rather than "all of the user's streams", so a late delivery can never
 * close a stream of a session made after the revocation (a fresh sign-in). Without an event bus it does nothing.
 */
export class RevocationAnnouncer {
  readonly #store: SessionStore;
  readonly #events: EventBus | undefined;

  constructor(store: SessionStore, events: EventBus | undefined) {
    this.#store = store;
    this.#events = events;
  }

  /** Whether anyone listens: callers skip the reads that only an announcement needs. */
  get listening(): boolean {
    return this.#events !== undefined;
  }

  /** Ids of the user's sessions about to end (read before they are deleted), but `exceptId`. */
  async idsToEnd(userId: string, exceptId?: string): Promise<string[]> {
    if (!this.#events) return [];
    const sessions = await this.#store.listForUser(userId);
    return sessions.map((s) => s.id).filter((id) => id !== exceptId);
  }

  async announce(userId: string, sessionIds: string[], reason: RevocationReason): Promise<void> {
    if (!this.#events || sessionIds.length === 0) return;
    try {
      await this.#events.publish({ type: 'session.revoked', userId, sessionIds, data: { reason } });
    } catch {
      // Best effort: the session is already gone, and each stream's heartbeat re-check closes it if this was lost.
    }
  }
}

export interface SessionRevokerOptions {
  store: SessionStore;
  users: UserRepository;
  clock: Clock;
  audit: AuditTrail;
  /** Where `session.revoked` is announced, so open event streams of ended sessions close at once. */
  events?: EventBus;
}

/**
 * The one way sessions end: deleted from the store, announced to their open streams, and written to the audit log.
 * SessionService offers these to routes; the anomaly policy uses revokeAll directly (it is built before
 * SessionService, which reports to it).
 */
export class SessionRevoker {
  readonly #store: SessionStore;
  readonly #users: UserRepository;
  readonly #clock: Clock;
  readonly #audit: AuditTrail;
  readonly #announcer: RevocationAnnouncer;

  constructor(options: SessionRevokerOptions) {
    this.#store = options.store;
    this.#users = options.users;
    this.#clock = options.clock;
    this.#audit = options.audit;
    this.#announcer = new RevocationAnnouncer(options.store, options.events);
  }

  /** Deletes the session a presented secret stands for, if any (sign-in over an old cookie, sign-out). */
  async revokeBySecret(secret: string): Promise<void> {
    if (!looksLikeSecret(secret)) return;
    const tokenHash = hashToken(secret);
    const session = this.#announcer.listening ? await this.#store.findByTokenHash(tokenHash) : null;
    if ((await this.#store.delete(tokenHash)) && session)
      await this.#announcer.announce(session.userId, [session.id], 'replaced');
  }

  /** Deletes one session; with a revocation, records who ended it. */
  async revoke(session: Session, revocation?: Revocation): Promise<void> {
    await this.#store.delete(session.tokenHash);
    await this.#announcer.announce(session.userId, [session.id], reasonFor(revocation, 'one'));
    if (revocation) await recordRevocation(this.#audit, revocation, { userId: session.userId, sessionId: session.id });
  }

  /** Deletes every other session of the session's user; returns how many. */
  async revokeOthers(current: Session, client?: ClientInfo): Promise<number> {
    const ended = await this.#announcer.idsToEnd(current.userId, current.id);
    const revoked = await this.#store.deleteAllForUser(current.userId, current.tokenHash);
    await this.#announcer.announce(current.userId, ended, 'revoked');
    await recordRevocation(
      this.#audit,
      { by: 'user', actorId: current.userId, client: client ?? null },
      { userId: current.userId, sessionId: current.id, details: { scope: 'others', revoked } },
    );
    return revoked;
  }

  /**
   * Ends every session of the user. The version bump comes first and is what makes it safe: a session record that
   * survives a crash before the deletes finish is already refused by validation.
   */
  async revokeAll(userId: string, revocation?: Revocation): Promise<{ revoked: number; user: User | null }> {
    const user = await this.#users.bumpSessionVersion(userId, this.#clock.now());
    const ended = await this.#announcer.idsToEnd(userId);
    const revoked = await this.#store.deleteAllForUser(userId);
    await this.#announcer.announce(userId, ended, reasonFor(revocation, 'all'));
    if (revocation) await recordRevocation(this.#audit, revocation, { userId, details: { scope: 'all', revoked } });
    return { revoked, user };
  }

  /**
   * SESSION_MAX_PER_USER: ends the user's oldest sessions beyond the newest `max` (the one just made is the newest),
   * each announced to its streams and audited as `session.revoked` by `session_limit`. Returns how many ended.
   */
  async capSessions(userId: string, max: number, client: ClientInfo | null): Promise<number> {
    const trimmed = await this.#store.trimForUser(userId, max);
    if (trimmed.length === 0) return 0;
    await this.#announcer.announce(
      userId,
      trimmed.map((s) => s.id),
      'session_limit',
    );
    for (const session of trimmed) {
      await recordRevocation(
        this.#audit,
        { by: 'session_limit', client },
        { userId, sessionId: session.id, details: { limit: max } },
      );
    }
    return trimmed.length;
  }

  /**
   * Ends the sessions of an account that was just deleted: whatever the store still holds is deleted (Redis keeps
   * them; SQL rows went with the account), and `sessionIds`, listed before the deletion, are announced.
   */
  async endDeletedAccount(userId: string, sessionIds: string[], revocation: Revocation): Promise<number> {
    const deleted = await this.#store.deleteAllForUser(userId);
    await this.#announcer.announce(userId, sessionIds, 'account_deleted');
    const revoked = Math.max(deleted, sessionIds.length);
    await recordRevocation(this.#audit, revocation, { userId, details: { scope: 'all', revoked } });
    return revoked;
  }

  /**
   * Deletes the stored records of every session of a user whose sessionVersion was already bumped (password
   * change): they are refused anyway; this frees them and empties the devices list. `rotatingId` is the session
   * being rotated by the same request, left unannounced as in SessionService.rotate().
   */
  async dropStored(userId: string, rotatingId?: string): Promise<number> {
    const ended = await this.#announcer.idsToEnd(userId, rotatingId);
    const dropped = await this.#store.deleteAllForUser(userId);
    await this.#announcer.announce(userId, ended, 'password_changed');
    return dropped;
  }
}
