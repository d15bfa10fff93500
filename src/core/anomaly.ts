import { UAParser } from 'ua-parser-js';
import type { AuditClient, AuditTrail } from './audit.js';
import type { Clock } from './clock.js';
import type { EventBus } from './events.js';
import { FifoMap } from './fifo-map.js';
import { type AccountNotifier, silentNotifier } from './notices.js';
import type { SessionRevoker } from './revocation.js';
import type { Session, SessionStore } from './session.js';

export type AnomalyAction = 'warn' | 'revoke';

export interface AnomalyPolicy {
  /** Live sessions from this many distinct countries raise `multiple_countries` (ANOMALY_COUNTRIES). */
  countries: number;
  /**
   * `revoke` also ends every session of the account, the newest included (ANOMALY_ACTION): the newest is usually the
   * attacker's, and keeping it would sign only the owner out.
   */
  action: AnomalyAction;
}

/** A warning shown in GET /api/session and pushed as `security.warning`. */
export interface SecurityWarning {
  code: string;
  message: string;
  [field: string]: unknown;
}

/** Port: the device families (browser + OS, no versions) each user has signed in from. */
export interface DeviceHistory {
  /** Records the family for the user; true when it had never been seen for them. */
  remember(userId: string, family: string, at: number): Promise<boolean>;
}

/** Session events the detector wants to hear about; SessionService calls it when activity moves a session. */
export interface SessionWatcher {
  countryChanged(session: Session, previousCountry: string, client: AuditClient): Promise<void>;
}

export interface AnomalyDetectorOptions {
  store: SessionStore;
  /** Ends sessions under the `revoke` policy (the same path as every other revocation). */
  revoker: SessionRevoker;
  audit: AuditTrail;
  clock: Clock;
  policy: AnomalyPolicy;
  devices?: DeviceHistory;
  /** Push, when wired: warnings also go to the user's open event streams. */
  events?: EventBus;
  /** Tells the owner out of band: a sign-in from a new device, every session ended by the `revoke` policy. */
  notifier?: AccountNotifier;
}

const WARNINGS_TTL_MS = 5_000;
const MAX_CACHED_WARNINGS = 10_000;
/** What most users' memo entries hold: one shared empty list instead of an array each, frozen so none can add to it. */
const NO_WARNINGS = Object.freeze([]) as unknown as SecurityWarning[];

/** "Browser on OS" without versions, so an update does not count as a new device. */
export function deviceFamily(userAgent: string): string {
  const result = new UAParser(userAgent.slice(0, 512)).getResult();
  return `${result.browser.name ?? 'unknown browser'} on ${result.os.name ?? 'unknown OS'}`;
}

/** True when the warnings say the anomaly policy ended every session, the one that triggered it included. */
export function revokedEverySession(warnings: readonly SecurityWarning[]): boolean {
  return warnings.some((w) => w.action === 'revoked');
}

/**
 * The seeds' "three sessions from different countries": watches sign-ins and session moves, records anomalies in the
 * audit log (where the user can read them), warns, and under the `revoke` policy ends every session of the account
 * and tells its owner by a notice.
 */
export class AnomalyDetector implements SessionWatcher {
  readonly #store: SessionStore;
  readonly #revoker: SessionRevoker;
  readonly #audit: AuditTrail;
  readonly #clock: Clock;
  readonly #policy: AnomalyPolicy;
  readonly #devices: DeviceHistory | undefined;
  readonly #events: EventBus | undefined;
  readonly #notifier: AccountNotifier;
  readonly #warnings = new FifoMap<string, { until: number; warnings: SecurityWarning[] }>();

  constructor(options: AnomalyDetectorOptions) {
    this.#store = options.store;
    this.#revoker = options.revoker;
    this.#audit = options.audit;
    this.#clock = options.clock;
    this.#policy = options.policy;
    this.#devices = options.devices;
    this.#events = options.events;
    this.#notifier = options.notifier ?? silentNotifier;
  }

  /** After a new session: flags a new device (not on registration, the first device) and country spread. */
  async afterSignIn(session: Session, client: AuditClient, firstSession = false): Promise<SecurityWarning[]> {
    if (this.#devices) {
      const family = deviceFamily(client.userAgent);
      const isNew = await this.#devices.remember(session.userId, family, this.#clock.now());
      if (isNew && !firstSession) {
        await this.#audit.record('anomaly.new_device', client, {
          userId: session.userId,
          sessionId: session.id,
          details: { device: family },
        });
        await this.#notifier.notify({
          kind: 'new_device',
          userId: session.userId,
          details: { device: family, ip: client.ip, ...(session.country ? { country: session.country } : {}) },
        });
      }
    }
    return this.#checkCountries(session, client);
  }

  async countryChanged(session: Session, previousCountry: string, client: AuditClient): Promise<void> {
    await this.#audit.record('anomaly.country_changed', client, {
      userId: session.userId,
      sessionId: session.id,
      details: { from: previousCountry, to: session.country },
    });
    await this.#checkCountries(session, client);
  }

  /**
   * Warnings that hold for the user (no side effects). They are advisory, so GET /api/session reuses one
   * computation per user for a few seconds instead of listing every session on every request; a sign-in or a
   * country change on this instance recomputes at once.
   */
  async warningsFor(userId: string): Promise<SecurityWarning[]> {
    const now = this.#clock.now();
    const cached = this.#warnings.get(userId);
    if (cached && cached.until > now) return cached.warnings;
    const countries = await this.#store.countriesForUser(userId, now);
    const warnings = countries.length >= this.#policy.countries ? [multipleCountries(countries)] : NO_WARNINGS;
    this.#warnings.setWithin(MAX_CACHED_WARNINGS, userId, { until: now + WARNINGS_TTL_MS, warnings });
    return warnings;
  }

  async #checkCountries(trigger: Session, client: AuditClient): Promise<SecurityWarning[]> {
    this.#warnings.delete(trigger.userId);
    const countries = await this.#store.countriesForUser(trigger.userId, this.#clock.now());
    if (countries.length < this.#policy.countries) return [];
    const warning = multipleCountries(countries);
    const revoking = this.#policy.action === 'revoke';
    if (revoking) {
      warning.action = 'revoked';
      warning.message = `${warning.message} Every session of the account was signed out, this one included: sign in again, and change your password if this was not you.`;
    }
    await this.#audit.record('anomaly.multiple_countries', client, {
      userId: trigger.userId,
      sessionId: trigger.id,
      details: { countries, action: this.#policy.action },
    });
    // Before the revocation, so that open pages show why they are about to be signed out.
    await this.#events
      ?.publish({ type: 'security.warning', userId: trigger.userId, data: { ...warning } })
      .catch(() => {});
    if (revoking) {
      // Every session, the trigger included (it is usually the intruder's), through the one revocation path: the
      // version bump also ends token families and download links, and whatever a crash might leave behind.
      const { revoked } = await this.#revoker.revokeAll(trigger.userId, { by: 'anomaly', client });
      warning.revoked = revoked;
      await this.#notifier
        .notify({
          kind: 'sessions_revoked_by_anomaly',
          userId: trigger.userId,
          details: { countries: countries.join(', '), revoked: String(revoked) },
        })
        .catch(() => {});
    }
    return [warning];
  }
}

function multipleCountries(countries: string[]): SecurityWarning {
  return {
    code: 'multiple_countries',
    message: `Your account is signed in from ${countries.length} countries (${countries.join(', ')}). If that is not you, sign out everywhere and change your password.`,
    countries,
  };
}
