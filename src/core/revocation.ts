import type { AuditTrail } from './audit.js';
import type { EventBus } from './events.js';
import type { ClientInfo, SessionStore } from './session.js';

/** Who ended a session and from where, for the audit log. `logout` is recorded as `auth.logout`. */
export interface Revocation {
  by: 'logout' | 'user' | 'admin' | 'anomaly' | 'system';
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
