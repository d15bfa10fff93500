import type { AccountMailer } from './account-mailer.js';
import type { AccountNotifier, Notice } from './notices.js';
import type { UserRepository } from './user.js';

export interface MailNotifierOptions {
  users: Pick<UserRepository, 'findById'>;
  mailer: AccountMailer;
  /** Where a notice that could not be queued is reported (the server log); notify() itself never throws. */
  onError?: (error: unknown, notice: Notice) => void;
}

/**
 * AccountNotifier by email: each notice is composed and queued (one SQL insert) for the mail worker, so it never
 * waits on the mail server. It goes to the account's address, except `email_changed`, which goes to the address the
 * account had (`details.previousEmail`): the owner of the old address is the one to warn.
 */
export class MailNotifier implements AccountNotifier {
  readonly #users: Pick<UserRepository, 'findById'>;
  readonly #mailer: AccountMailer;
  readonly #onError: (error: unknown, notice: Notice) => void;

  constructor(options: MailNotifierOptions) {
    this.#users = options.users;
    this.#mailer = options.mailer;
    this.#onError = options.onError ?? (() => {});
  }

  async notify(notice: Notice): Promise<void> {
    try {
      const user = await this.#users.findById(notice.userId);
      if (!user) return;
      const { previousEmail, ...details } = notice.details ?? {};
      const to = notice.kind === 'email_changed' && previousEmail ? previousEmail : user.email;
      await this.#mailer.sendNotice({ ...notice, details }, to, user.name);
    } catch (error) {
      // A notice never fails or delays the change it describes.
      this.#onError(error, notice);
    }
  }
}
