import { type Kysely, sql, type Transaction } from 'kysely';
import type { SecondFactorKind } from '../../core/user.js';
import type { Database } from './schema.js';

/**
 * Locks the account row for the rest of the transaction (PostgreSQL; SQLite serialises writers anyway), so that
 * concurrent factor changes of one account are made, and counted, one after the other.
 */
export async function lockAccount(trx: Transaction<Database>, userId: string): Promise<boolean> {
  const locked = await trx
    .updateTable('users')
    .set({ updated_at: sql`updated_at` })
    .where('id', '=', userId)
    .executeTakeFirst();
  return Number(locked.numUpdatedRows) > 0;
}

/**
 * Recomputes the account's second-factor kinds from the factor tables and writes them to `users.second_factors`
 * inside the caller's transaction, so the record never disagrees with the factors. Recovery codes only exist
 * beside a factor: when none is left, they go too.
 */
export async function writeSecondFactorKinds(
  trx: Transaction<Database>,
  userId: string,
  now: number,
): Promise<SecondFactorKind[]> {
  const totp = await trx
    .selectFrom('totp_factors')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('sealed_secret', 'is not', null)
    .executeTakeFirst();
  const passkey = await trx
    .selectFrom('passkeys')
    .select('id')
    .where('user_id', '=', userId)
    .limit(1)
    .executeTakeFirst();
  const kinds: SecondFactorKind[] = [...(totp ? ['totp' as const] : []), ...(passkey ? ['passkey' as const] : [])];
  if (kinds.length === 0) await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await trx
    .updateTable('users')
    .set({ second_factors: JSON.stringify(kinds), updated_at: now })
    .where('id', '=', userId)
    .execute();
  return kinds;
}

/** Does the account hold a second factor right now (read inside a transaction that locked it)? */
export async function hasSecondFactor(db: Kysely<Database> | Transaction<Database>, userId: string): Promise<boolean> {
  const totp = await db
    .selectFrom('totp_factors')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('sealed_secret', 'is not', null)
    .executeTakeFirst();
  if (totp) return true;
  return (
    (await db.selectFrom('passkeys').select('id').where('user_id', '=', userId).limit(1).executeTakeFirst()) !==
    undefined
  );
}
