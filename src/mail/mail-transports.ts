import { join } from 'node:path';
import type { MailTransport } from '../core/mail.js';
import { OutboxMailTransport } from './outbox-transport.js';
import { SmtpMailTransport } from './smtp-transport.js';

export interface MailTransportSettings {
  smtpUrl: string | null;
  from: string | null;
  productName: string;
  dataDir: string;
  publicUrl: string;
}

/** The configured transport, and the warning to log once at start when messages only go to files. */
export function createMailTransport(settings: MailTransportSettings): {
  transport: MailTransport;
  warning: string | null;
} {
  const host = new URL(settings.publicUrl).hostname;
  const from = settings.from ?? `"${settings.productName.replace(/["\\]/g, '')}" <no-reply@${host}>`;
  if (settings.smtpUrl) return { transport: new SmtpMailTransport(settings.smtpUrl, from, host), warning: null };
  const transport = new OutboxMailTransport(join(settings.dataDir, 'outbox'), from, host);
  return {
    transport,
    warning: `SMTP_URL is not set: email is not sent but written to ${transport.directory} as .eml files. Set SMTP_URL (and MAIL_FROM) in production.`,
  };
}
