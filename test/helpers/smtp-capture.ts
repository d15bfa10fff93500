import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message as the capture server received and parsed it. */
export interface CapturedMail {
  /** Envelope recipients (RCPT TO). */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /** `X-Heimdall-Kind`: verify_email, password_reset, new_device… */
  kind: string;
  parsed: ParsedMail;
}

/**
 * A real SMTP server on a free loopback port that keeps every message it accepts, parsed with mailparser: what
 * Heimdall's nodemailer transport talks to in tests. It can be taken down (the port then refuses connections, as a
 * dead mail server's would) and brought back up on the same port.
 */
export class SmtpCapture {
  readonly messages: CapturedMail[] = [];
  #server: SMTPServer | null = null;
  #port = 0;
  #waiters: (() => void)[] = [];

  static async start(): Promise<SmtpCapture> {
    const capture = new SmtpCapture();
    await capture.up();
    return capture;
  }

  /** SMTP_URL for Heimdall. */
  get url(): string {
    return `smtp://127.0.0.1:${this.#port}`;
  }

  /** Starts listening (again, on the same port once it has one). */
  async up(): Promise<void> {
    if (this.#server) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 1 << 20,
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (parsed) => {
            this.messages.push({
              to: (session.envelope.rcptTo ?? []).map((r) => r.address),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              kind: String(parsed.headers.get('x-heimdall-kind') ?? ''),
              parsed,
            });
            for (const wake of this.#waiters.splice(0)) wake();
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening: connections to the port are refused until up(). */
  async down(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Messages to `address` (envelope recipient), oldest first; optionally of one kind. */
  to(address: string, kind?: string): CapturedMail[] {
    return this.messages.filter((m) => m.to.includes(address) && (kind === undefined || m.kind === kind));
  }

  /** The only message to `address` of `kind`; fails when there is none or more than one. */
  only(address: string, kind: string): CapturedMail {
    const found = this.to(address, kind);
    if (found.length !== 1) {
      throw new Error(`expected one ${kind} message to ${address}, found ${found.length}: ${this.#summary()}`);
    }
    return found[0]!;
  }

  /** Waits until a message to `address` of `kind` has arrived (for the server's own worker; bounded). */
  async waitFor(address: string, kind: string, timeoutMs = 10_000): Promise<CapturedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.to(address, kind).at(-1);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${kind} message to ${address} within ${timeoutMs} ms: ${this.#summary()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  clear(): void {
    this.messages.length = 0;
  }

  #summary(): string {
    return JSON.stringify(this.messages.map((m) => ({ to: m.to, kind: m.kind })));
  }
}

/** The link in a message's plain text that starts with `prefix` (e.g. `${publicUrl}/reset-password?token=`). */
export function linkIn(mail: CapturedMail, prefix: string): string {
  const link = (mail.text.match(/https?:\/\/\S+/g) ?? []).find((l) => l.startsWith(prefix));
  if (!link) throw new Error(`no link starting ${prefix} in: ${mail.text}`);
  return link;
}

/** The `token` query parameter of a link. */
export function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get('token');
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

/** Every absolute URL in a message, text and HTML alike. */
export function urlsIn(mail: CapturedMail): string[] {
  return [...(mail.text.match(/https?:\/\/[^\s"'<>]+/g) ?? []), ...(mail.html.match(/https?:\/\/[^\s"'<>]+/g) ?? [])];
}

/** Sends what the services queued: work started after an answer first (a reset link), then one worker pass. */
export async function deliverMail(services: {
  passwordResets: { settle(): Promise<void> };
  mail: { deliverDue(): Promise<unknown> };
}): Promise<void> {
  await services.passwordResets.settle();
  await services.mail.deliverDue();
}
