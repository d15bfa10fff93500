import { type Kysely, type Selectable, sql } from 'kysely';
import type { PendingSignIn, PendingSignInStore } from '../../core/ceremonies.js';
import { methodSet } from '../../core/session.js';
import type { Database, PendingSignInsTable } from './schema.js';

function toPending(row: Selectable<PendingSignInsTable>): PendingSignIn {
  return {
    keyHash: row.key_hash,
    userId: row.user_id,
    methods: methodSet(JSON.parse(row.methods) as string[]),
    provider: row.provider,
    rememberMe: row.remember_me === 1,
    returnTo: row.return_to,
    failures: Number(row.failures),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

/** Sign-ins awaiting a second factor, in SQL; each insert sweeps expired ones. */
export class SqlPendingSignInStore implements PendingSignInStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(pending: PendingSignIn, now: number): Promise<void> {
    await this.#db.deleteFrom('pending_sign_ins').where('expires_at', '<=', now).execute();
    await this.#db
      .insertInto('pending_sign_ins')
      .values({
        key_hash: pending.keyHash,
        user_id: pending.userId,
        methods: JSON.stringify(pending.methods),
        provider: pending.provider,
        remember_me: pending.rememberMe ? 1 : 0,
        return_to: pending.returnTo,
        failures: pending.failures,
        created_at: pending.createdAt,
        expires_at: pending.expiresAt,
      })
      .execute();
  }

  async find(keyHash: string): Promise<PendingSignIn | null> {
    const row = await this.#db
      .selectFrom('pending_sign_ins')
      .selectAll()
      .where('key_hash', '=', keyHash)
      .executeTakeFirst();
    return row ? toPending(row) : null;
  }

  async recordFailure(keyHash: string, maxFailures: number): Promise<'kept' | 'dropped'> {
    const row = await this.#db
      .updateTable('pending_sign_ins')
      .set({ failures: sql`failures + 1` })
      .where('key_hash', '=', keyHash)
      .returning('failures')
      .executeTakeFirst();
    if (row && Number(row.failures) < maxFailures) return 'kept';
    await this.#db.deleteFrom('pending_sign_ins').where('key_hash', '=', keyHash).execute();
    return 'dropped';
  }

  async take(keyHash: string): Promise<PendingSignIn | null> {
    const row = await this.#db
      .deleteFrom('pending_sign_ins')
      .where('key_hash', '=', keyHash)
      .returningAll()
      .executeTakeFirst();
    return row ? toPending(row) : null;
  }
}
