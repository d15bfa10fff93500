import type { Clock } from './clock.js';
import { type GeoLookup, noGeoLookup } from './device.js';

/**
 * Security events kept in the audit log (API.md, "Administration"). `token.reused` and `key.rotated` are emitted by
 * the token service; the rest by accounts, sessions and anomaly detection.
 */
export const AUDIT_EVENT_TYPES = [
  'auth.register',
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'session.revoked',
  'password.changed',
  'roles.changed',
  'rate.limited',
  'anomaly.multiple_countries',
  'anomaly.country_changed',
  'anomaly.new_device',
  'token.reused',
  'key.rotated',
  'identity.linked',
  'identity.unlinked',
  'email.verified',
  'email.change_requested',
  'email.changed',
  'password.reset_requested',
  'password.reset',
  'account.invited',
  'account.disabled',
  'account.enabled',
  'account.deleted',
  // Second factors and step-up (issue 17): every change of how an account is protected, and every re-authentication.
  'auth.second_factor_asked',
  'auth.reauthenticated',
  'totp.enabled',
  'totp.disabled',
  'recovery_codes.regenerated',
  'recovery_code.used',
  'passkey.added',
  'passkey.renamed',
  'passkey.removed',
  // Device-bound sessions (issue 21): a browser bound its session to a key; a refresh signed by another key refused.
  'session.device_bound',
  'session.device_refresh_refused',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** One recorded security event. Times are epoch milliseconds; `id` is assigned by the log, increasing. */
export interface AuditEvent {
  id: string;
  at: number;
  type: AuditEventType;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  country: string | null;
  details: Record<string, unknown>;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

export interface AuditQuery {
  userId?: string;
  type?: AuditEventType;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  limit: number;
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

/** Port: where audit events are kept (an SQL table). Append-only apart from retention pruning. */
export interface AuditLog {
  append(event: NewAuditEvent): Promise<void>;
  /** Newest first. */
  list(query: AuditQuery): Promise<AuditPage>;
  /** Deletes events older than `before`; returns how many. */
  pruneBefore(before: number): Promise<number>;
}

/** For deployments and tests that keep no audit log. */
export const discardAuditLog: AuditLog = {
  append: async () => {},
  list: async () => ({ events: [], nextCursor: null }),
  pruneBefore: async () => 0,
};

/** Who did something and from where: the request's client, when there is one. */
export interface AuditClient {
  ip: string;
  userAgent: string;
}

export interface AuditSubject {
  userId?: string | null;
  sessionId?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditTrailOptions {
  log: AuditLog;
  clock: Clock;
  geo?: GeoLookup;
  /** How long events are kept, in milliseconds. */
  retentionMs?: number;
  /** Where a failure to record goes (the server log); recording itself never throws. */
  onError?: (error: unknown) => void;
}

const DEFAULT_RETENTION_MS = 90 * 86_400_000;

/**
 * What services write to: stamps time and the client's country on each event. Recording never fails the operation
 * it describes (a sign-in is not refused because the audit table is busy); the failure is reported to `onError`.
 */
export class AuditTrail {
  readonly #log: AuditLog;
  readonly #clock: Clock;
  readonly #geo: GeoLookup;
  readonly #retentionMs: number;
  readonly #onError: (error: unknown) => void;

  constructor(options: AuditTrailOptions) {
    this.#log = options.log;
    this.#clock = options.clock;
    this.#geo = options.geo ?? noGeoLookup;
    this.#retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.#onError = options.onError ?? (() => {});
  }

  async record(type: AuditEventType, client: AuditClient | null, subject: AuditSubject = {}): Promise<void> {
    const event: NewAuditEvent = {
      at: this.#clock.now(),
      type,
      userId: subject.userId ?? null,
      sessionId: subject.sessionId ?? null,
      ip: client?.ip ?? null,
      userAgent: client ? client.userAgent.slice(0, 512) : null,
      country: client ? this.#geo.countryOf(client.ip) : null,
      details: subject.details ?? {},
    };
    try {
      await this.#log.append(event);
    } catch (error) {
      this.#onError(error);
    }
  }

  list(query: AuditQuery): Promise<AuditPage> {
    return this.#log.list(query);
  }

  /** Drops events past the retention period; returns how many. */
  prune(): Promise<number> {
    return this.#log.pruneBefore(this.#clock.now() - this.#retentionMs);
  }
}

/** An audit trail that records nothing, for services built without one. */
export function silentAuditTrail(clock: Clock): AuditTrail {
  return new AuditTrail({ log: discardAuditLog, clock });
}
