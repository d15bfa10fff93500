import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { MailTransport, OutgoingMail } from '../core/mail.js';
import { mailHeaders } from './mail-headers.js';

/**
 * The zero-configuration transport: each message becomes an `.eml` file in the outbox directory, for a developer to
 * open (any mail client reads them) when there is no mail server. The files hold live links, so they are readable by
 * their owner only (0600, in a 0700 directory).
 */
export class OutboxMailTransport implements MailTransport {
  readonly description: string;
  readonly directory: string;
  readonly #from: string;
  readonly #messageIdHost: string;

  constructor(directory: string, from: string, messageIdHost: string) {
    this.directory = resolve(directory);
    this.description = `outbox ${this.directory}`;
    this.#from = from;
    this.#messageIdHost = messageIdHost;
  }

  async send(mail: OutgoingMail): Promise<void> {
    const raw = await new MailComposer({
      from: this.#from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `<${mail.id}@${this.#messageIdHost}>`,
      headers: mailHeaders(mail),
    })
      .compile()
      .build();
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask and left alone for a directory that exists: set it outright.
    await chmod(this.directory, 0o700);
    // The id is a UUIDv7: names sort in the order messages were queued. Written under a temporary name and renamed,
    // so whoever watches the directory never opens half a message; a retry of a message already written adds none.
    const file = join(this.directory, `${mail.id}-${mail.kind}.eml`);
    if (existsSync(file)) return;
    const partial = `${file}.${process.pid}.part`;
    await writeFile(partial, raw, { mode: 0o600 });
    await rename(partial, file);
  }

  async close(): Promise<void> {}
}
