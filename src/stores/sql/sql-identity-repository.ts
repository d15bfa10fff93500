import { type Kysely, type Selectable, sql } from 'kysely';
import type { Identity, IdentityRepository, LinkIdentityResult } from '../../core/identity.js';
import { isUniqueViolation } from './database.js';
import type { Database, IdentitiesTable } from './schema.js';

function toIdentity(row: Selectable<IdentitiesTable>): Identity {
  return {
    id: row.id,
    userId: row.user_id,
    provider: row.provider,
    issuer: row.issuer,
    subject: row.subject,
    email: row.email,
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
  };
}

/** Linked third-party identities in SQL (SQLite or PostgreSQL) through Kysely. */
export class SqlIdentityRepository implements IdentityRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async findBySubject(issuer: string, subject: string): Promise<Identity | null> {
    const row = await this.#db
      .selectFrom('identities')
      .selectAll()
      .where('issuer', '=', issuer)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row ? toIdentity(row) : null;
  }

  async insert(identity: Identity): Promise<LinkIdentityResult> {
    try {
      await this.#db
        .insertInto('identities')
        .values({
          id: identity.id,
          user_id: identity.userId,
          provider: identity.provider,
          issuer: identity.issuer,
          subject: identity.subject,
          email: identity.email,
          created_at: identity.createdAt,
          last_used_at: identity.lastUsedAt,
        })
        .execute();
      return { ok: true, identity };
    } catch (error) {
      if (isUniqueViolation(error)) return { ok: false, code: 'identity_taken' };
      throw error;
    }
  }

  async touch(id: string, now: number, email: string | null): Promise<void> {
    await this.#db
      .updateTable('identities')
      .set({ last_used_at: now, ...(email ? { email } : {}) })
      .where('id', '=', id)
      .execute();
  }

  async listForUser(userId: string): Promise<Identity[]> {
    const rows = await this.#db
      .selectFrom('identities')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toIdentity);
  }

  async delete(userId: string, id: string, options: { keepOne: boolean }): Promise<'deleted' | 'not_found' | 'last'> {
    return this.#db.transaction().execute(async (trx) => {
      if (options.keepOne) {
        // Lock the account row (PostgreSQL; SQLite serialises writers anyway) so that concurrent unlinks of a
        // password-less account's identities are counted one after the other.
        await trx.updateTable('users').set({ updated_at: sql`updated_at` }).where('id', '=', userId).execute();
        const { count } = await trx
          .selectFrom('identities')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('user_id', '=', userId)
          .executeTakeFirstOrThrow();
        if (Number(count) <= 1) return 'last';
      }
      const result = await trx
        .deleteFrom('identities')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0 ? 'deleted' : 'not_found';
    });
  }
}
