import type { AuditLog, AuditPage, AuditQuery, NewAuditEvent } from '../core/audit.js';
import type { HeimdallMetrics } from './heimdall-metrics.js';

/**
 * The audit log port with counting around it: every security event that is recorded (sign-ins good and bad,
 * revocations, rate limiting, anomalies…) also moves a Prometheus counter, with no code in the services for it.
 */
export class MeteredAuditLog implements AuditLog {
  readonly #inner: AuditLog;
  readonly #metrics: HeimdallMetrics;

  constructor(inner: AuditLog, metrics: HeimdallMetrics) {
    this.#inner = inner;
    this.#metrics = metrics;
  }

  async append(event: NewAuditEvent): Promise<void> {
    this.#metrics.recordSecurityEvent(event.type, event.details);
    await this.#inner.append(event);
  }

  list(query: AuditQuery): Promise<AuditPage> {
    return this.#inner.list(query);
  }

  pruneBefore(before: number): Promise<number> {
    return this.#inner.pruneBefore(before);
  }
}
