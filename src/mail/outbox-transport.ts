import { chmod, mkdir, writeFile } from 'node:fs/promises';
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
    // The id is a UUIDv7: names sort in the order messages were queued. `wx`: a retry never overwrites a file.
    const file = join(this.directory, `${mail.id}-${mail.kind}.eml`);
    await writeFile(file, raw, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }

  async close(): Promise<void> {}
}
