import { linkMessage, noticeMessage } from './account-messages.js';
import type { Clock } from './clock.js';
import type { EmailToken, EmailTokenPurpose } from './email-tokens.js';
import type { MailKind } from './mail.js';
import type { MailOutbox } from './mail-outbox.js';
import { renderMessage } from './mail-templates.js';
import type { Notice } from './notices.js';

export interface AccountMailerOptions {
  outbox: MailOutbox;
  clock: Clock;
  /** HEIMDALL_PUBLIC_URL: every link in a message is absolute, on Heimdall's public origin. */
  publicUrl: string;
  /** The product's name, in subjects and signatures (HEIMDALL_PRODUCT_NAME). */
  productName: string;
}

/** Where each purpose's link lands in the web app (API.md, "Email"). */
const LINK_PATHS: Record<EmailTokenPurpose, string> = {
  verify_email: '/verify-email',
  change_email: '/verify-email',
  reset_password: '/reset-password',
  invitation: '/reset-password',
};

const MAIL_KINDS: Record<EmailTokenPurpose, MailKind> = {
  verify_email: 'verify_email',
  change_email: 'change_email',
  reset_password: 'password_reset_link',
  invitation: 'invitation',
};

/** Composes the account messages (links and notices) and queues them for the worker to send. */
export class AccountMailer {
  readonly #outbox: MailOutbox;
  readonly #clock: Clock;
  readonly #publicUrl: string;
  readonly #product: string;

  constructor(options: AccountMailerOptions) {
    this.#outbox = options.outbox;
    this.#clock = options.clock;
    this.#publicUrl = options.publicUrl.replace(/\/+$/, '');
    this.#product = options.productName;
  }

  /** The absolute link for a token's secret. */
  linkFor(purpose: EmailTokenPurpose, secret: string): string {
    return `${this.#publicUrl}${LINK_PATHS[purpose]}?token=${encodeURIComponent(secret)}`;
  }

  /** Queues the message with the link for `token` to the address it was made for. */
  async sendLink(token: EmailToken, secret: string, name: string): Promise<void> {
    const content = linkMessage(token.purpose, {
      product: this.#product,
      name,
      url: this.linkFor(token.purpose, secret),
      ttlMs: token.expiresAt - token.createdAt,
      email: token.email,
    });
    await this.#outbox.enqueue(MAIL_KINDS[token.purpose], renderMessage(this.#product, token.email, content), {
      userId: token.userId,
      expiresAt: token.expiresAt,
    });
  }

  /** Queues a notice to `to` (the account's address, or the previous one for a change of email). */
  async sendNotice(notice: Notice, to: string, name: string): Promise<void> {
    const at = new Date(this.#clock.now()).toUTCString();
    const content = noticeMessage(this.#product, name, notice, at);
    await this.#outbox.enqueue(notice.kind, renderMessage(this.#product, to, content), { userId: notice.userId });
  }
}
