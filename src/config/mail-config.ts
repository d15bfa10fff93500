import { DURATION, type EnvReader, parseDuration } from './env-reader.js';

/** Mail and email links (API.md, "Email"; docs/email.md). Durations in milliseconds. */
export interface MailConfig {
  /** SMTP_URL (`smtp://user:pass@host:587`, `smtps://…`); null writes each message to `<data dir>/outbox/` instead. */
  smtpUrl: string | null;
  /** MAIL_FROM; null means `"<product>" <no-reply@<host of HEIMDALL_PUBLIC_URL>>`. */
  from: string | null;
  /** HEIMDALL_PRODUCT_NAME: what messages call the service, in subjects and signatures. */
  productName: string;
  /** EMAIL_TOKEN_TTL: life of email verification and change-of-email links. */
  emailTokenTtlMs: number;
  /** PASSWORD_RESET_TTL: life of password reset links. */
  passwordResetTtlMs: number;
  /** INVITATION_TTL: life of the set-password link an invitation sends. */
  invitationTtlMs: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A duration from `minMs` to `maxMs`. */
const within = (minMs: number, maxMs: number) => (raw: string) => {
  const ms = parseDuration(raw);
  return ms !== null && ms >= minMs && ms <= maxMs ? ms : null;
};

/** `addr@host` or `Display Name <addr@host>`, on one line. */
export function parseMailFrom(raw: string): string | null {
  const value = raw.trim();
  if (/[\r\n]/.test(value)) return null;
  const address = /^(?:[^<>]*<)?([^\s<>@]+@[^\s<>@]+)>?$/.exec(value);
  return address && value.includes('<') === value.endsWith('>') ? value : null;
}

export function readMailConfig(r: EnvReader): MailConfig {
  return {
    smtpUrl: r.read(
      'SMTP_URL',
      null as string | null,
      (raw) => {
        try {
          const url = new URL(raw);
          return /^smtps?:$/.test(url.protocol) && url.hostname ? raw : null;
        } catch {
          return null;
        }
      },
      'smtp://[user:pass@]host[:port] or smtps://…',
    ),
    from: r.read('MAIL_FROM', null as string | null, parseMailFrom, 'an address, e.g. "Heimdall <auth@example.com>"'),
    productName: r.read(
      'HEIMDALL_PRODUCT_NAME',
      'Heimdall',
      (raw) => (raw.trim() && raw.length <= 60 && !/[\r\n<>]/.test(raw) ? raw.trim() : null),
      'a name of up to 60 characters without < > or line breaks',
    ),
    emailTokenTtlMs: r.read('EMAIL_TOKEN_TTL', DAY, within(5 * MINUTE, 30 * DAY), `${DURATION}, from 5m to 30d`),
    passwordResetTtlMs: r.read(
      'PASSWORD_RESET_TTL',
      30 * MINUTE,
      within(5 * MINUTE, DAY),
      `${DURATION}, from 5m to 1d`,
    ),
    invitationTtlMs: r.read('INVITATION_TTL', 7 * DAY, within(30 * MINUTE, 30 * DAY), `${DURATION}, from 30m to 30d`),
  };
}
