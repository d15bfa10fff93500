import type { AuditClient, AuditEventType, AuditTrail } from './audit.js';
import type { Clock } from './clock.js';
import type { AccountNotifier, NoticeKind } from './notices.js';
import type { Authenticated } from './session-service.js';
import type { SecondFactorKind, User, UserRepository } from './user.js';

export interface FactorChange {
  audit: AuditEventType;
  /** What the account's owner is told, out of band. */
  notice?: NoticeKind;
  details?: Record<string, unknown>;
}

/**
 * What follows every change of an account's second factors, whoever makes it: the account record's `secondFactors`
 * (already written by the factor store in the change's own transaction) is written again through the repository,
 * so that every cached copy of the user (in-process, Redis) learns it at once; the change is audited; the owner is
 * notified. A notice never fails or delays the change (AccountNotifier queues).
 */
export class FactorChanges {
  readonly #users: UserRepository;
  readonly #audit: AuditTrail;
  readonly #notifier: AccountNotifier;
  readonly #clock: Clock;

  constructor(options: { users: UserRepository; audit: AuditTrail; notifier: AccountNotifier; clock: Clock }) {
    this.#users = options.users;
    this.#audit = options.audit;
    this.#notifier = options.notifier;
    this.#clock = options.clock;
  }

  /** Records a change made by the signed-in owner; `kinds` is the account's set after it (null: unchanged). */
  async record(
    auth: Authenticated,
    client: AuditClient,
    change: FactorChange,
    kinds: SecondFactorKind[] | null,
  ): Promise<User> {
    let user = auth.user;
    if (kinds !== null) user = (await this.#users.update(user.id, { secondFactors: kinds }, this.#clock.now())) ?? user;
    await this.#audit.record(change.audit, client, {
      userId: user.id,
      sessionId: auth.session.id,
      details: { ...change.details, secondFactors: user.secondFactors },
    });
    if (change.notice) {
      try {
        await this.#notifier.notify({ kind: change.notice, userId: user.id, details: stringsOf(change.details) });
      } catch {
        // The change is made and audited; a notifier that breaks its promise not to fail must not undo that.
      }
    }
    return user;
  }
}

/** Notices carry plain strings only. */
function stringsOf(details: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!details) return undefined;
  const strings = Object.entries(details).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return strings.length > 0 ? Object.fromEntries(strings) : undefined;
}
