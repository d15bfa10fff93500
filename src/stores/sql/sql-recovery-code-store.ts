import type { Kysely } from 'kysely';
import type { RecoveryCodeStatus, RecoveryCodeStore } from '../../core/factors.js';
import type { Database } from './schema.js';
import { hasSecondFactor, lockAccount } from './sql-second-factor-kinds.js';

/** Recovery codes in SQL, as keyed digests; spending one is a single conditional UPDATE. */
export class SqlRecoveryCodeStore implements RecoveryCodeStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async replace(userId: string, codeDigests: string[], now: number): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      if (!(await lockAccount(trx, userId)) || !(await hasSecondFactor(trx, userId))) return false;
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      if (codeDigests.length > 0) {
        await trx
          .insertInto('recovery_codes')
          .values(codeDigests.map((code_digest) => ({ user_id: userId, code_digest, created_at: now, used_at: null })))
          .execute();
      }
      return true;
    });
  }

  async consume(userId: string, codeDigest: string, now: number): Promise<boolean> {
    const spent = await this.#db
      .updateTable('recovery_codes')
      .set({ used_at: now })
      .where('user_id', '=', userId)
      .where('code_digest', '=', codeDigest)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(spent.numUpdatedRows) === 1;
  }

  async status(userId: string): Promise<RecoveryCodeStatus> {
    const rows = await this.#db
      .selectFrom('recovery_codes')
      .select(['created_at', 'used_at'])
      .where('user_id', '=', userId)
      .execute();
    return {
      remaining: rows.filter((row) => row.used_at === null).length,
      generatedAt: rows.length > 0 ? Math.max(...rows.map((row) => Number(row.created_at))) : null,
    };
  }
}
