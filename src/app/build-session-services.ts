import type { Config } from '../config/config.js';
import { AnomalyDetector } from '../core/anomaly.js';
import { AuditTrail } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import type { DenyList } from '../core/deny-list.js';
import { type GeoLookup, noGeoLookup } from '../core/device.js';
import type { EventBus } from '../core/events.js';
import { FamilyRevokingSessionStore } from '../core/family-revoking-session-store.js';
import type { AccountNotifier } from '../core/notices.js';
import { SessionRevoker } from '../core/revocation.js';
import type { SessionStore } from '../core/session.js';
import { SessionService } from '../core/session-service.js';
import type { RandomSource } from '../core/tokens.js';
import type { UserRepository } from '../core/user.js';
import { GeoipCountryLookup } from '../geo/geoip-country-lookup.js';
import type { HeimdallMetrics } from '../metrics/heimdall-metrics.js';
import { MeteredAuditLog } from '../metrics/metered-audit-log.js';
import type { SqlDatabase } from '../stores/sql/database.js';
import { SqlAuditLog } from '../stores/sql/sql-audit-log.js';
import { SqlDeviceHistory } from '../stores/sql/sql-device-history.js';
import { createDenyList } from './build-token-services.js';

export interface SessionServicesOptions {
  config: Config;
  database: SqlDatabase;
  clock: Clock;
  random: RandomSource;
  sessionStore: SessionStore;
  users: UserRepository;
  events: EventBus;
  metrics: HeimdallMetrics;
  notifier: AccountNotifier;
  reportAuditError?: (error: unknown) => void;
}

export interface SessionServices {
  sessions: SessionService;
  /** The one revocation path (routes through SessionService, the anomaly policy, the CLI). */
  revoker: SessionRevoker;
  anomalies: AnomalyDetector;
  audit: AuditTrail;
  /** Denied API token families (by id), filled by every deletion of a family and by revocations on the bus. */
  denyList: DenyList;
}

/**
 * Sessions and what every change of one goes through: the audit trail, the revocation path, the anomaly policy
 * (built before the service it watches) and the deny list that a deleted API token family lands on.
 */
export function buildSessionServices(o: SessionServicesOptions): SessionServices {
  const { config, clock, events } = o;
  // Every deletion of an API token family, whoever makes it, also denies its access tokens (issue 7).
  const denyList = createDenyList(o.database, clock);
  const store = new FamilyRevokingSessionStore(o.sessionStore, denyList);
  // Revocations announced on the bus reach every instance's deny list at once (Redis pub/sub); the periodic sync
  // from SQL stays as the backstop for a message lost while an instance was disconnected.
  events.subscribe((event) => {
    if (event.type === 'session.revoked') for (const id of event.sessionIds ?? []) denyList.noteRevoked(id);
  });
  const geo: GeoLookup = config.geoip ? new GeoipCountryLookup() : noGeoLookup;
  const audit = new AuditTrail({
    log: new MeteredAuditLog(new SqlAuditLog(o.database.db), o.metrics),
    clock,
    geo,
    retentionMs: config.auditRetentionMs,
    onError: o.reportAuditError,
  });
  const revoker = new SessionRevoker({ store, users: o.users, clock, audit, events });
  const anomalies = new AnomalyDetector({
    store,
    revoker,
    audit,
    clock,
    policy: config.anomaly,
    devices: new SqlDeviceHistory(o.database.db),
    events,
    notifier: o.notifier,
  });
  const sessions = new SessionService({
    store,
    users: o.users,
    clock,
    policy: config.session,
    random: o.random,
    geo,
    audit,
    watcher: anomalies,
    revoker,
  });
  return { sessions, revoker, anomalies, audit, denyList };
}
