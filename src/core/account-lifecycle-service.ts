import { type AuditTrail, silentAuditTrail } from './audit.js';
import type { Clock } from './clock.js';
import { generateUuidV7 } from './ids.js';
import type { PasswordResetService } from './password-reset-service.js';
import type { SessionService } from './session-service.js';
import type { User, UserRepository } from './user.js';
import { type ChangeActor, normaliseEmail } from './user-service.js';

export interface AccountLifecycleOptions {
  users: UserRepository;
  sessions: Pick<SessionService, 'list' | 'revokeAll' | 'endDeletedAccount'>;
  /** Sends an invited account its set-password link. */
  invitations: Pick<PasswordResetService, 'sendInvitation'>;
  clock: Clock;
  audit?: AuditTrail;
}

export interface InviteInput {
  email: string;
  name?: string;
  /** Default `["user"]`. */
  roles?: string[];
}

type Refusal<Code extends string> = { ok: false; code: Code; message?: string };
export type InviteResult = { ok: true; user: User } | Refusal<'invalid_request' | 'email_taken'>;
/** `last_admin`: the change would leave no active admin (API.md: 409 `invalid_request`). */
export type LifecycleResult = { ok: true; user: User } | Refusal<'not_found' | 'last_admin'>;

/** Whose account is deleted: its owner (DELETE /api/account) or an administrator. */
export type Deleter = ChangeActor & { by: 'user' | 'admin' };

/**
 * An account's life beyond sign-up: invitations, disabling and enabling, deletion. The repository refuses, in the
 * write itself, to disable or delete the last active admin, whoever asks and however many instances ask at once.
 */
export class AccountLifecycleService {
  readonly #users: UserRepository;
  readonly #sessions: AccountLifecycleOptions['sessions'];
  readonly #invitations: AccountLifecycleOptions['invitations'];
  readonly #clock: Clock;
  readonly #audit: AuditTrail;

  constructor(options: AccountLifecycleOptions) {
    this.#users = options.users;
    this.#sessions = options.sessions;
    this.#invitations = options.invitations;
    this.#clock = options.clock;
    this.#audit = options.audit ?? silentAuditTrail(options.clock);
  }

  /** Creates an account without a password and mails it a set-password link. */
  async invite(actor: ChangeActor, input: InviteInput): Promise<InviteResult> {
    const email = normaliseEmail(input.email);
    if (!email) return { ok: false, code: 'invalid_request', message: 'The email address is not valid.' };
    const roles = [...new Set(input.roles ?? ['user'])].sort();
    const created = await this.#users.create({
      id: generateUuidV7(this.#clock),
      email,
      name: input.name?.trim() || (email.split('@')[0] ?? email),
      passwordHash: null,
      createdAt: this.#clock.now(),
      roles,
    });
    if (!created.ok) return created;
    await this.#invitations.sendInvitation(created.user);
    await this.#audit.record('account.invited', actor.client, {
      userId: created.user.id,
      details: { actorId: actor.actorId, roles: created.user.roles },
    });
    return created;
  }

  /**
   * Disables an account: the flag and a session-version bump land in one write (every session, token family and
   * download link is refused on every instance from the next request), then the stored sessions are deleted and
   * their open pages told.
   */
  async disable(actor: ChangeActor, userId: string): Promise<LifecycleResult> {
    const written = await this.#users.setDisabled(userId, true, this.#clock.now());
    if (!written.ok) return written;
    await this.#sessions.revokeAll(userId, { by: 'admin', actorId: actor.actorId, client: actor.client });
    await this.#audit.record('account.disabled', actor.client, { userId, details: { actorId: actor.actorId } });
    return written;
  }

  async enable(actor: ChangeActor, userId: string): Promise<LifecycleResult> {
    const written = await this.#users.setDisabled(userId, false, this.#clock.now());
    if (!written.ok) return written;
    await this.#audit.record('account.enabled', actor.client, { userId, details: { actorId: actor.actorId } });
    return written;
  }

  /**
   * Deletes an account with its sessions, token families, identities, factors and links. The audit trail keeps its
   * events under the account's opaque id, which no longer leads to an email address.
   */
  async delete(deleter: Deleter, userId: string): Promise<LifecycleResult> {
    // Listed first, to tell their open pages: SQL-stored sessions go with the account in the delete itself.
    const sessionIds = (await this.#sessions.list(userId)).map((s) => s.id);
    const deleted = await this.#users.delete(userId);
    if (!deleted.ok) return deleted;
    const revocation = { by: deleter.by, actorId: deleter.actorId, client: deleter.client };
    await this.#sessions.endDeletedAccount(userId, sessionIds, revocation);
    await this.#audit.record('account.deleted', deleter.client, {
      userId,
      details: { by: deleter.by, actorId: deleter.actorId },
    });
    return deleted;
  }
}
