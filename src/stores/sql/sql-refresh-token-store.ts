import type { Kysely, Selectable } from 'kysely';
import type { RefreshTokenRecord, RefreshTokenStore, SpendResult } from '../../core/refresh-token.js';
import type { Database, RefreshTokensTable } from './schema.js';

function toRecord(row: Selectable<RefreshTokensTable>): RefreshTokenRecord {
  return {
    tokenHash: row.token_hash,
    familyId: row.family_id,
    userId: row.user_id,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    spentAt: row.spent_at === null ? null : Number(row.spent_at),
  };
}

/** Refresh tokens in SQL (SQLite or PostgreSQL). */
export class SqlRefreshTokenStore implements RefreshTokenStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(token: RefreshTokenRecord): Promise<void> {
    await this.#db
      .insertInto('refresh_tokens')
      .values({
        token_hash: token.tokenHash,
        family_id: token.familyId,
        user_id: token.userId,
        created_at: token.createdAt,
        expires_at: token.expiresAt,
        spent_at: token.spentAt,
      })
      .execute();
  }

  async spend(tokenHash: string, now: number): Promise<SpendResult> {
    // One conditional UPDATE … RETURNING is the whole race: SQLite runs writers one at a time, and PostgreSQL makes
    // a second UPDATE of the row wait for the first and then re-check `spent_at IS NULL`, which no longer holds.
    const spent = await this.#db
      .updateTable('refresh_tokens')
      .set({ spent_at: now })
      .where('token_hash', '=', tokenHash)
      .where('spent_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    if (spent) return { outcome: 'spent', token: toRecord(spent) };
    const token = await this.find(tokenHash);
    if (!token) return { outcome: 'unknown' };
    if (token.spentAt !== null) return { outcome: 'reused', token };
    return { outcome: 'expired' };
  }

  async find(tokenHash: string): Promise<RefreshTokenRecord | null> {
    const row = await this.#db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async deleteFamily(familyId: string): Promise<number> {
    const result = await this.#db.deleteFrom('refresh_tokens').where('family_id', '=', familyId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async pruneExpired(now: number): Promise<number> {
    const result = await this.#db.deleteFrom('refresh_tokens').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
