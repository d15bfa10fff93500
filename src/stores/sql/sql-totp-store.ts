import type { Kysely, Selectable } from 'kysely';
import type { TotpFactor, TotpStore } from '../../core/factors.js';
import type { SecondFactorKind } from '../../core/user.js';
import type { Database, TotpFactorsTable } from './schema.js';
import { lockAccount, writeSecondFactorKinds } from './sql-second-factor-kinds.js';

function toFactor(row: Selectable<TotpFactorsTable>): TotpFactor {
  const num = (value: number | null) => (value === null ? null : Number(value));
  return {
    userId: row.user_id,
    sealedSecret: row.sealed_secret,
    lastStep: num(row.last_step),
    enabledAt: num(row.enabled_at),
    pendingSealedSecret: row.pending_sealed_secret,
    pendingExpiresAt: num(row.pending_expires_at),
  };
}

/** Authenticator-app secrets in SQL; confirmation and removal keep `users.second_factors` in the same transaction. */
export class SqlTotpStore implements TotpStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async find(userId: string): Promise<TotpFactor | null> {
    const row = await this.#db.selectFrom('totp_factors').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return row ? toFactor(row) : null;
  }

  async setPending(userId: string, sealedSecret: string, expiresAt: number, _now: number): Promise<void> {
    await this.#db
      .insertInto('totp_factors')
      .values({
        user_id: userId,
        sealed_secret: null,
        last_step: null,
        enabled_at: null,
        pending_sealed_secret: sealedSecret,
        pending_expires_at: expiresAt,
      })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({ pending_sealed_secret: sealedSecret, pending_expires_at: expiresAt }),
      )
      .execute();
  }

  async confirm(
    userId: string,
    sealedSecret: string,
    step: number,
    codeDigests: string[],
    now: number,
  ): Promise<SecondFactorKind[] | null> {
    return this.#db.transaction().execute(async (trx) => {
      if (!(await lockAccount(trx, userId))) return null;
      const confirmed = await trx
        .updateTable('totp_factors')
        .set({
          sealed_secret: sealedSecret,
          last_step: step,
          enabled_at: now,
          pending_sealed_secret: null,
          pending_expires_at: null,
        })
        .where('user_id', '=', userId)
        .where('pending_sealed_secret', '=', sealedSecret)
        .where('pending_expires_at', '>', now)
        .executeTakeFirst();
      if (Number(confirmed.numUpdatedRows) === 0) return null;
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      if (codeDigests.length > 0) {
        await trx
          .insertInto('recovery_codes')
          .values(codeDigests.map((code_digest) => ({ user_id: userId, code_digest, created_at: now, used_at: null })))
          .execute();
      }
      return writeSecondFactorKinds(trx, userId, now);
    });
  }

  async remove(userId: string, now: number): Promise<SecondFactorKind[] | null> {
    return this.#db.transaction().execute(async (trx) => {
      if (!(await lockAccount(trx, userId))) return null;
      const removed = await trx
        .deleteFrom('totp_factors')
        .where('user_id', '=', userId)
        .where('sealed_secret', 'is not', null)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) return null;
      return writeSecondFactorKinds(trx, userId, now);
    });
  }

  async acceptStep(userId: string, step: number): Promise<boolean> {
    // One conditional UPDATE: of two requests with codes of the same step, only one finds last_step below it.
    const accepted = await this.#db
      .updateTable('totp_factors')
      .set({ last_step: step })
      .where('user_id', '=', userId)
      .where('sealed_secret', 'is not', null)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
      .executeTakeFirst();
    return Number(accepted.numUpdatedRows) === 1;
  }
}
