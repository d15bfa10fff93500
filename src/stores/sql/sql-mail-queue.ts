import { type Kysely, type Selectable, sql } from 'kysely';
import type { ClaimOptions, MailKind, MailQueue, QueuedMail } from '../../core/mail.js';
import type { Database, MailQueueTable } from './schema.js';

function toQueuedMail(row: Selectable<MailQueueTable>): QueuedMail {
  return {
    id: row.id,
    kind: row.kind as MailKind,
    userId: row.user_id,
    sealed: row.sealed,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    nextAttemptAt: Number(row.next_attempt_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

/** The outgoing mail queue in SQL (migration 0007), shared by every instance on the database. */
export class SqlMailQueue implements MailQueue {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(mail: QueuedMail): Promise<void> {
    await this.#db
      .insertInto('mail_queue')
      .values({
        id: mail.id,
        kind: mail.kind,
        user_id: mail.userId,
        sealed: mail.sealed,
        attempts: mail.attempts,
        created_at: mail.createdAt,
        next_attempt_at: mail.nextAttemptAt,
        expires_at: mail.expiresAt,
        lease_owner: null,
        lease_until: 0,
        last_error: null,
      })
      .execute();
  }

  /**
   * One conditional UPDATE … RETURNING: a row is leased only if its lease has run out at the moment of the write.
   * On PostgreSQL a concurrent claim of the same row waits for the first, then re-checks that condition against the
   * new lease and skips the row; SQLite runs one writer at a time. Either way each message has one owner.
   */
  async claim(options: ClaimOptions): Promise<QueuedMail[]> {
    const { now, owner, leaseUntil, limit } = options;
    const due = this.#db
      .selectFrom('mail_queue')
      .select('id')
      .where('next_attempt_at', '<=', now)
      .where('lease_until', '<', now)
      .orderBy('id')
      .limit(limit);
    const rows = await this.#db
      .updateTable('mail_queue')
      .set({ lease_owner: owner, lease_until: leaseUntil })
      .where('id', 'in', due)
      .where('lease_until', '<', now)
      .returningAll()
      .execute();
    return rows.map(toQueuedMail).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async remove(id: string, owner: string): Promise<void> {
    await this.#db.deleteFrom('mail_queue').where('id', '=', id).where('lease_owner', '=', owner).execute();
  }

  async retryLater(
    id: string,
    owner: string,
    retry: { attempts: number; nextAttemptAt: number; error: string },
  ): Promise<void> {
    await this.#db
      .updateTable('mail_queue')
      .set({
        attempts: retry.attempts,
        next_attempt_at: retry.nextAttemptAt,
        last_error: retry.error,
        lease_owner: null,
        lease_until: 0,
      })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async countWaiting(): Promise<number> {
    const row = await this.#db.selectFrom('mail_queue').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
