import type { Clock } from './clock.js';
import { generatePublicId, generateUuidV7 } from './ids.js';
import {
  type MailDeliveryObserver,
  type MailKind,
  type MailMessage,
  type MailQueue,
  type MailTransport,
  type QueuedMail,
  unobservedDelivery,
} from './mail.js';
import type { SecretBox } from './secret-box.js';
import { cryptoRandom, type RandomSource } from './tokens.js';

/** How a failed message is retried: the delay doubles from the base up to the cap, until it is too old to send. */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** A message still undelivered this long after it was queued is dropped (logged and counted). */
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 10_000,
  maxDelayMs: 15 * 60_000,
  giveUpAfterMs: 3 * 86_400_000,
};

/** How long an instance holds the messages it claimed: far longer than one SMTP exchange under the fast timeouts. */
export const MAIL_LEASE_MS = 2 * 60_000;
const BATCH = 20;

export interface MailOutboxOptions {
  queue: MailQueue;
  transport: MailTransport;
  /** Seals queued messages at rest: they carry live links until they are sent. */
  box: SecretBox;
  clock: Clock;
  random?: RandomSource;
  observer?: MailDeliveryObserver;
  retry?: RetryPolicy;
}

export interface EnqueueOptions {
  userId: string | null;
  /** When the link in the message dies (messages with no link: null). */
  expiresAt?: number | null;
}

export interface DeliveryReport {
  sent: number;
  failed: number;
  dropped: number;
}

/**
 * Durable outgoing mail. Services enqueue (one SQL insert, never the mail server), and a background worker calls
 * deliverDue() on every instance: each claims due messages under a lease, sends them one by one, deletes what went
 * out and schedules what failed with exponential backoff. A restart loses nothing: what was not sent is still in
 * the table, and a lease left by a crashed instance runs out.
 */
export class MailOutbox {
  readonly #queue: MailQueue;
  readonly #transport: MailTransport;
  readonly #box: SecretBox;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #observer: MailDeliveryObserver;
  readonly #retry: RetryPolicy;
  /** This instance's lease owner name: random, so two processes never share one. */
  readonly #owner: string;
  readonly #listeners = new Set<() => void>();

  constructor(options: MailOutboxOptions) {
    this.#queue = options.queue;
    this.#transport = options.transport;
    this.#box = options.box;
    this.#clock = options.clock;
    this.#random = options.random ?? cryptoRandom;
    this.#observer = options.observer ?? unobservedDelivery;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#owner = generatePublicId(this.#random);
  }

  get transportDescription(): string {
    return this.#transport.description;
  }

  /** Calls `listener` whenever this instance queues a message (the worker sends it without waiting for its poll). */
  onQueued(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async enqueue(kind: MailKind, message: MailMessage, options: EnqueueOptions): Promise<void> {
    const now = this.#clock.now();
    const id = generateUuidV7(this.#clock, this.#random);
    await this.#queue.insert({
      id,
      kind,
      userId: options.userId,
      sealed: this.#box.seal(JSON.stringify(message), id),
      attempts: 0,
      createdAt: now,
      nextAttemptAt: now,
      expiresAt: options.expiresAt ?? null,
    });
    for (const listener of this.#listeners) listener();
  }

  /** One pass over the queue: sends every message that is due, batch by batch, until none is left for now. */
  async deliverDue(): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, failed: 0, dropped: 0 };
    for (;;) {
      const now = this.#clock.now();
      const claimed = await this.#queue.claim({
        now,
        owner: this.#owner,
        leaseUntil: now + MAIL_LEASE_MS,
        limit: BATCH,
      });
      for (const mail of claimed) report[await this.#deliver(mail)]++;
      if (claimed.length < BATCH) return report;
    }
  }

  countWaiting(): Promise<number> {
    return this.#queue.countWaiting();
  }

  close(): Promise<void> {
    return this.#transport.close();
  }

  async #deliver(mail: QueuedMail): Promise<keyof DeliveryReport> {
    const now = this.#clock.now();
    const facts = { id: mail.id, kind: mail.kind, attempts: mail.attempts };
    const opened = this.#box.open(mail.sealed, mail.id);
    if (opened === null) return this.#drop(mail, 'unreadable');
    if (mail.expiresAt !== null && now >= mail.expiresAt) return this.#drop(mail, 'expired');
    try {
      await this.#transport.send({ ...(JSON.parse(opened) as MailMessage), id: mail.id, kind: mail.kind });
    } catch (error) {
      const attempts = mail.attempts + 1;
      const retryAt = now + Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** Math.min(attempts - 1, 30));
      if (retryAt - mail.createdAt > this.#retry.giveUpAfterMs)
        return this.#drop({ ...mail, attempts }, 'gave_up', error);
      await this.#queue.retryLater(mail.id, this.#owner, { attempts, nextAttemptAt: retryAt, error: describe(error) });
      this.#observer.failed({ ...facts, attempts }, error, retryAt);
      return 'failed';
    }
    await this.#queue.remove(mail.id, this.#owner);
    this.#observer.sent({ ...facts, attempts: mail.attempts + 1 });
    return 'sent';
  }

  async #drop(mail: QueuedMail, reason: 'expired' | 'gave_up' | 'unreadable', error?: unknown): Promise<'dropped'> {
    await this.#queue.remove(mail.id, this.#owner);
    this.#observer.dropped({ id: mail.id, kind: mail.kind, attempts: mail.attempts }, reason, error);
    return 'dropped';
  }
}

/** What a transport error says, short: kept beside the message for operators. */
function describe(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  return (typeof code === 'string' ? `${code}: ${text}` : text).slice(0, 500);
}
