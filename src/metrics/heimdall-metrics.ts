import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEventType } from '../core/audit.js';

/** Counters of one in-process cache, as the Redis/SQLite cache decorators report them. */
export interface CacheCounters {
  entries: number;
  hits: number;
  misses: number;
  invalidations: number;
  flushes: number;
}

export type CacheCountersSource = () => Record<string, CacheCounters>;
export type LiveSessionsSource = () => Promise<Record<string, number>>;
export type EventStreamsSource = () => number;
export type MailQueueSource = () => Promise<number>;

/** Latency buckets for an auth server: most answers take well under 10 ms; argon2 sign-ins take tens. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Heimdall's Prometheus metrics, in a registry of its own (no module-level state: every app and test has its own).
 * Counters fed by the HTTP layer and the audit trail are always kept — a few increments per sign-in; request timing
 * and process metrics only once `/metrics` is enabled. Sources owned by other parts (caches, event streams, the
 * session store) are read when Prometheus scrapes, never per request.
 */
export class HeimdallMetrics {
  readonly registry = new Registry();
  readonly #requests: Histogram<'method' | 'route' | 'status'>;
  readonly #rateLimited: Counter<'route'>;
  readonly #logins: Counter<'result'>;
  readonly #revocations: Counter<'by'>;
  readonly #securityEvents: Counter<'type'>;
  readonly #mailSent: Counter<'kind'>;
  readonly #mailFailures: Counter<'kind'>;
  readonly #mailDropped: Counter<'kind' | 'reason'>;
  #mailQueue: MailQueueSource | null = null;
  #caches: CacheCountersSource | null = null;
  #liveSessions: LiveSessionsSource | null = null;
  #eventStreams: EventStreamsSource | null = null;
  #processMetrics = false;

  constructor() {
    const registers = [this.registry];
    this.#requests = new Histogram({
      name: 'heimdall_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by method, route template and status (its _count is the request rate).',
      labelNames: ['method', 'route', 'status'],
      buckets: BUCKETS,
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'heimdall_rate_limited_requests_total',
      help: 'Requests answered 429 rate_limited, by route.',
      labelNames: ['route'],
      registers,
    });
    this.#logins = new Counter({
      name: 'heimdall_logins_total',
      help: 'Sign-ins (password or third party), by result: ok or failed.',
      labelNames: ['result'],
      registers,
    });
    this.#revocations = new Counter({
      name: 'heimdall_session_revocations_total',
      help: 'Sessions and token families ended before their time, by who ended them (logout, user, admin, anomaly, system).',
      labelNames: ['by'],
      registers,
    });
    this.#securityEvents = new Counter({
      name: 'heimdall_security_events_total',
      help: 'Audit events recorded, by type.',
      labelNames: ['type'],
      registers,
    });
    this.#mailSent = new Counter({
      name: 'heimdall_mail_sent_total',
      help: 'Messages handed to the mail server (or written to the outbox), by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.#mailFailures = new Counter({
      name: 'heimdall_mail_failures_total',
      help: 'Failed attempts to send a message (each is retried with backoff), by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.#mailDropped = new Counter({
      name: 'heimdall_mail_dropped_total',
      help: 'Messages given up unsent, by kind and reason (expired: its link died first; gave_up: failing for days; unreadable).',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.#registerScrapeTimeSources(registers);
  }

  #registerScrapeTimeSources(registers: Registry[]): void {
    const metrics = this;
    new Gauge({
      name: 'heimdall_sessions_live',
      help: 'Sessions not yet expired, by kind (cookie sessions, api token families).',
      labelNames: ['kind'],
      registers,
      async collect() {
        if (!metrics.#liveSessions) return;
        this.reset();
        for (const [kind, n] of Object.entries(await metrics.#liveSessions())) this.set({ kind }, n);
      },
    });
    new Gauge({
      name: 'heimdall_mail_queue_waiting',
      help: 'Messages waiting in the mail queue (not yet sent, including those waiting to be retried).',
      registers,
      async collect() {
        if (metrics.#mailQueue) this.set(await metrics.#mailQueue());
      },
    });
    new Gauge({
      name: 'heimdall_event_streams',
      help: 'Open live-push event streams (GET /api/events) on this instance.',
      registers,
      collect() {
        if (metrics.#eventStreams) this.set(metrics.#eventStreams());
      },
    });
    // Cumulative counts kept by the caches themselves, exported as counters at each scrape.
    const cacheCounter = (name: string, help: string, pick: (c: CacheCounters) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['cache'],
        registers,
        collect() {
          if (!metrics.#caches) return;
          this.reset();
          for (const [cache, counters] of Object.entries(metrics.#caches())) this.inc({ cache }, pick(counters));
        },
      });
    cacheCounter('heimdall_cache_hits_total', 'In-process cache hits, by cache.', (c) => c.hits);
    cacheCounter(
      'heimdall_cache_misses_total',
      'In-process cache misses (read from the store), by cache.',
      (c) => c.misses,
    );
    cacheCounter(
      'heimdall_cache_invalidations_total',
      'Entries dropped because the store said they changed (Redis tracking, SQLite data_version), by cache.',
      (c) => c.invalidations,
    );
    cacheCounter(
      'heimdall_cache_flushes_total',
      'Whole-cache flushes (invalidation channel lost or restored), by cache.',
      (c) => c.flushes,
    );
    new Gauge({
      name: 'heimdall_cache_entries',
      help: 'Entries held by each in-process cache.',
      labelNames: ['cache'],
      registers,
      collect() {
        if (!metrics.#caches) return;
        this.reset();
        for (const [cache, counters] of Object.entries(metrics.#caches())) this.set({ cache }, counters.entries);
      },
    });
  }

  /** One answered request; `route` is the route template (never the raw URL), `unmatched` for 404s. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const statusLabel = String(status);
    this.#requests.observe({ method, route, status: statusLabel }, seconds);
    if (status === 429) this.#rateLimited.inc({ route });
  }

  /** One audit event (fed by MeteredAuditLog). */
  recordSecurityEvent(type: AuditEventType, details: Record<string, unknown>): void {
    this.#securityEvents.inc({ type });
    if (type === 'auth.login') this.#logins.inc({ result: 'ok' });
    else if (type === 'auth.login_failed') this.#logins.inc({ result: 'failed' });
    else if (type === 'auth.logout' || type === 'session.revoked') {
      const by = typeof details.by === 'string' ? details.by : type === 'auth.logout' ? 'logout' : 'system';
      const revoked = typeof details.revoked === 'number' ? details.revoked : 1;
      if (revoked > 0) this.#revocations.inc({ by }, revoked);
    }
  }

  recordMailSent(kind: string): void {
    this.#mailSent.inc({ kind });
  }

  recordMailFailure(kind: string): void {
    this.#mailFailures.inc({ kind });
  }

  recordMailDropped(kind: string, reason: string): void {
    this.#mailDropped.inc({ kind, reason });
  }

  /** Hook: how many messages wait in the mail queue. */
  observeMailQueue(source: MailQueueSource): void {
    this.#mailQueue = source;
  }

  /** Hook: the in-process caches' counters (Redis client-side cache, SQLite cache). */
  observeCaches(source: CacheCountersSource): void {
    this.#caches = source;
  }

  /** Hook: live sessions by kind, counted where they are stored. */
  observeLiveSessions(source: LiveSessionsSource): void {
    this.#liveSessions = source;
  }

  /** Hook: how many event streams this instance holds open. */
  observeEventStreams(source: EventStreamsSource): void {
    this.#eventStreams = source;
  }

  /** Node.js process metrics (CPU, memory, event-loop lag, GC), only when /metrics is served. Idempotent. */
  enableProcessMetrics(): void {
    if (this.#processMetrics) return;
    this.#processMetrics = true;
    collectDefaultMetrics({ register: this.registry, prefix: 'heimdall_' });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
