import type { MailDeliveryObserver } from '../core/mail.js';
import type { MailOutbox } from '../core/mail-outbox.js';
import type { HeimdallMetrics } from '../metrics/heimdall-metrics.js';
import type { MaintenanceLog } from './build-token-services.js';

/** How often each instance looks for due messages queued elsewhere (another instance, or a retry coming due). */
export const MAIL_POLL_INTERVAL_MS = 5_000;

/** The background worker that drains the mail queue: started by the server, never by the CLI. */
export interface MailDelivery {
  /** Runs a pass soon (this instance just queued a message). */
  kick(): void;
  /** Stops polling and waits for the pass in progress, so that no send is cut off by shutdown. */
  stop(): Promise<void>;
}

/**
 * Polls the queue and runs one pass at a time: a kick during a pass runs another right after, so a message queued
 * while the worker was busy is never left for the next poll.
 */
export function startMailDelivery(
  outbox: MailOutbox,
  log: MaintenanceLog,
  intervalMs = MAIL_POLL_INTERVAL_MS,
): MailDelivery {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = outbox
      .deliverDue()
      .then(
        () => {},
        (error: unknown) => log.warn({ err: error }, 'mail delivery: a pass over the queue failed'),
      )
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  const unsubscribe = outbox.onQueued(() => setImmediate(run));
  run();
  return {
    kick: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
      while (running) await running;
    },
  };
}

/** Logs and counts what happens to deliveries; the log is set once the worker starts. */
export class ObservedDelivery implements MailDeliveryObserver {
  readonly #metrics: HeimdallMetrics;
  log: MaintenanceLog | null = null;

  constructor(metrics: HeimdallMetrics) {
    this.#metrics = metrics;
  }

  sent(mail: { id: string; kind: string; attempts: number }): void {
    this.#metrics.recordMailSent(mail.kind);
    this.log?.info({ mail: mail.id, kind: mail.kind, attempts: mail.attempts }, 'mail sent');
  }

  failed(mail: { id: string; kind: string; attempts: number }, error: unknown, retryAt: number): void {
    this.#metrics.recordMailFailure(mail.kind);
    this.log?.warn(
      { mail: mail.id, kind: mail.kind, attempts: mail.attempts, retryAt: new Date(retryAt).toISOString(), err: error },
      'mail: sending failed, will retry',
    );
  }

  dropped(mail: { id: string; kind: string; attempts: number }, reason: string, error?: unknown): void {
    this.#metrics.recordMailDropped(mail.kind, reason);
    this.log?.warn(
      { mail: mail.id, kind: mail.kind, attempts: mail.attempts, reason, err: error },
      'mail dropped unsent',
    );
  }
}
