import nodemailer from 'nodemailer';
import type { MailTransport, OutgoingMail } from '../core/mail.js';
import { mailHeaders } from './mail-headers.js';

/**
 * Fail fast: nodemailer waits 2 min for a connection, 30 s for the greeting and 10 min of socket silence by default,
 * which would hold the worker (never a request) on a dead server. These are a few seconds each
 * (/work/scratch/deps/FINDINGS.md, "Mail": a closed port fails in ms, a silent one at the greeting timeout).
 */
export const SMTP_TIMEOUTS = {
  connectionTimeout: 5_000,
  greetingTimeout: 5_000,
  socketTimeout: 10_000,
  dnsTimeout: 5_000,
};

/** Mail over SMTP (SMTP_URL: smtp:// with STARTTLS when offered, smtps:// for TLS from the start) with nodemailer. */
export class SmtpMailTransport implements MailTransport {
  readonly description: string;
  readonly #transport: ReturnType<typeof nodemailer.createTransport>;
  readonly #from: string;
  readonly #messageIdHost: string;

  constructor(url: string, from: string, messageIdHost: string) {
    const parsed = new URL(url);
    // Never the credentials: this goes to the start-up line.
    this.description = `SMTP ${parsed.protocol}//${parsed.host}`;
    this.#transport = nodemailer.createTransport({ url, ...SMTP_TIMEOUTS });
    this.#from = from;
    this.#messageIdHost = messageIdHost;
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.#transport.sendMail({
      from: this.#from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `<${mail.id}@${this.#messageIdHost}>`,
      headers: mailHeaders(mail),
    });
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}
