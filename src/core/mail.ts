import type { NoticeKind } from './notices.js';

/** What a message is, for the queue, the logs and the metrics' `kind` label. */
export type MailKind = 'verify_email' | 'change_email' | 'password_reset_link' | 'invitation' | NoticeKind;

/** A composed message: a plain-text part always, and simple HTML beside it. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A message on its way out: the queue's id doubles as a stable reference in headers, file names and logs. */
export interface OutgoingMail extends MailMessage {
  id: string;
  kind: MailKind;
}

/** Port: hands one message to the mail system (SMTP, or a file in the outbox); throws when it could not. */
export interface MailTransport {
  /** For the start-up line, e.g. "SMTP smtp.example.com:587" or "outbox ./data/outbox". */
  readonly description: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

/** A queued message as stored: the message itself is sealed (it may carry a live link until it is sent). */
export interface QueuedMail {
  id: string;
  kind: MailKind;
  /** The account it concerns: its queued mail goes with it when it is deleted. */
  userId: string | null;
  sealed: string;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  /** When the link inside dies; a message still undelivered then is dropped instead of sent dead. */
  expiresAt: number | null;
}

export interface ClaimOptions {
  now: number;
  /** Who is sending (one instance). */
  owner: string;
  /** Until when the claimed messages are this owner's alone. */
  leaseUntil: number;
  limit: number;
}

/**
 * Port: the durable queue of outgoing mail (SQL). Several instances drain it at once: a claim is a conditional write
 * that leases each due message to one owner, so no two instances send the same message (unless a lease runs out
 * while its owner is still sending: delivery is at least once).
 */
export interface MailQueue {
  insert(mail: QueuedMail): Promise<void>;
  /** Leases up to `limit` messages that are due and not leased to anyone, oldest first. */
  claim(options: ClaimOptions): Promise<QueuedMail[]>;
  /** Removes a message the owner holds (delivered, or dropped). */
  remove(id: string, owner: string): Promise<void>;
  /** Gives a message the owner holds back to the queue for a later attempt. */
  retryLater(
    id: string,
    owner: string,
    retry: { attempts: number; nextAttemptAt: number; error: string },
  ): Promise<void>;
  /** How many messages wait (for /metrics). */
  countWaiting(): Promise<number>;
}

/** Why a message left the queue without being delivered. */
export type DropReason = 'expired' | 'gave_up' | 'unreadable';

/** What happens to deliveries, for logs and metrics; never throws. */
export interface MailDeliveryObserver {
  sent(mail: { id: string; kind: MailKind; attempts: number }): void;
  failed(mail: { id: string; kind: MailKind; attempts: number }, error: unknown, retryAt: number): void;
  dropped(mail: { id: string; kind: MailKind; attempts: number }, reason: DropReason, error?: unknown): void;
}

export const unobservedDelivery: MailDeliveryObserver = { sent() {}, failed() {}, dropped() {} };
