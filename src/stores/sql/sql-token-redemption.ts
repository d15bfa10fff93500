import { type Kysely, type Selectable, sql, type UpdateObject } from 'kysely';
import type { EmailToken, EmailTokenPurpose } from '../../core/email-tokens.js';
import type { RedeemResult, TokenEffect, TokenRedemption, User } from '../../core/user.js';
import { isUniqueViolation } from './database.js';
import type { Database, EmailTokensTable, UsersTable } from './schema.js';

/** Thrown inside the transaction to roll the spent token back when the change cannot be made. */
class Rollback extends Error {
  constructor(readonly result: RedeemResult) {
    super('rolled back');
  }
}

export function toEmailToken(row: Selectable<EmailTokensTable>): EmailToken {
  return {
    tokenHash: row.token_hash,
    purpose: row.purpose as EmailTokenPurpose,
    userId: row.user_id,
    email: row.email,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

/** The user's other links that the effect makes stale, deleted with it. */
function staleAfter(effect: TokenEffect): EmailTokenPurpose[] {
  if (effect.takeEmail) return ['verify_email', 'change_email', 'reset_password', 'invitation'];
  const stale: EmailTokenPurpose[] = [];
  if (effect.passwordHash !== undefined) stale.push('reset_password', 'invitation');
  if (effect.verifyEmail) stale.push('verify_email');
  return stale;
}

/**
 * Spends a token and applies its effect in one transaction. The token row is deleted first: on SQLite that write
 * takes the database's write lock before anything is read, and on PostgreSQL the row lock makes a concurrent spend
 * of the same token wait and then find nothing, so a link works once. A link sent to an address the account no longer
 * has changes nothing (except a change of email, whose token carries the new address).
 */
export async function redeemInTransaction(
  db: Kysely<Database>,
  userId: string,
  redemption: TokenRedemption,
  toUser: (row: Selectable<UsersTable>) => User,
): Promise<RedeemResult> {
  const { effect, now } = redemption;
  try {
    return await db.transaction().execute(async (trx) => {
      const spent = await trx
        .deleteFrom('email_tokens')
        .where('token_hash', '=', redemption.tokenHash)
        .where('user_id', '=', userId)
        .where('purpose', 'in', [...redemption.purposes])
        .returningAll()
        .executeTakeFirst();
      // An expired token is deleted all the same: it could never be used again.
      if (!spent || Number(spent.expires_at) <= now) return { ok: false, code: 'invalid_token' } as const;
      const changes: UpdateObject<Database, 'users'> = { updated_at: now };
      if (effect.passwordHash !== undefined) {
        changes.password_hash = effect.passwordHash;
        changes.session_version = sql<number>`session_version + 1`;
      }
      if (effect.takeEmail) changes.email = spent.email;
      if (effect.verifyEmail) changes.email_verified = 1;
      let update = trx.updateTable('users').set(changes).where('id', '=', userId);
      if (!effect.takeEmail) update = update.where('email', '=', spent.email);
      let row: Selectable<UsersTable> | undefined;
      try {
        row = await update.returningAll().executeTakeFirst();
      } catch (error) {
        if (isUniqueViolation(error)) throw new Rollback({ ok: false, code: 'email_taken' });
        throw error;
      }
      if (!row) return { ok: false, code: 'invalid_token' } as const;
      const stale = staleAfter(effect);
      if (stale.length > 0) {
        await trx.deleteFrom('email_tokens').where('user_id', '=', userId).where('purpose', 'in', stale).execute();
      }
      return { ok: true, user: toUser(row), token: toEmailToken(spent) } as const;
    });
  } catch (error) {
    if (error instanceof Rollback) return error.result;
    throw error;
  }
}
