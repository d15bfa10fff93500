import type { Kysely, Selectable } from 'kysely';
import type { InsertPasskeyResult, Passkey, PasskeyStore } from '../../core/factors.js';
import type { SecondFactorKind } from '../../core/user.js';
import { isUniqueViolation } from './database.js';
import type { Database, PasskeysTable } from './schema.js';
import { lockAccount, writeSecondFactorKinds } from './sql-second-factor-kinds.js';

function toPasskey(row: Selectable<PasskeysTable>): Passkey {
  return {
    id: row.id,
    credentialId: row.credential_id,
    userId: row.user_id,
    name: row.name,
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports: JSON.parse(row.transports) as string[],
    deviceType: row.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
    backedUp: row.backed_up === 1,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

/** Passkeys and WebAuthn user handles in SQL; adding and removing keep `users.second_factors` in step. */
export class SqlPasskeyStore implements PasskeyStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async ensureUserHandle(userId: string, candidate: string): Promise<string> {
    await this.#db
      .insertInto('webauthn_user_handles')
      .values({ user_id: userId, handle: candidate })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute();
    const handle = await this.userHandleOf(userId);
    if (handle === null) throw new Error(`no WebAuthn user handle for ${userId}`);
    return handle;
  }

  async userHandleOf(userId: string): Promise<string | null> {
    const row = await this.#db
      .selectFrom('webauthn_user_handles')
      .select('handle')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.handle ?? null;
  }

  async insert(passkey: Passkey, now: number): Promise<InsertPasskeyResult> {
    try {
      return await this.#db.transaction().execute(async (trx) => {
        await lockAccount(trx, passkey.userId);
        await trx
          .insertInto('passkeys')
          .values({
            id: passkey.id,
            credential_id: passkey.credentialId,
            user_id: passkey.userId,
            name: passkey.name,
            public_key: passkey.publicKey,
            counter: passkey.counter,
            transports: JSON.stringify(passkey.transports),
            device_type: passkey.deviceType,
            backed_up: passkey.backedUp ? 1 : 0,
            created_at: passkey.createdAt,
            last_used_at: passkey.lastUsedAt,
          })
          .execute();
        return { ok: true as const, kinds: await writeSecondFactorKinds(trx, passkey.userId, now) };
      });
    } catch (error) {
      if (isUniqueViolation(error)) return { ok: false, code: 'credential_taken' };
      throw error;
    }
  }

  async findByCredentialId(credentialId: string): Promise<Passkey | null> {
    const row = await this.#db
      .selectFrom('passkeys')
      .selectAll()
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return row ? toPasskey(row) : null;
  }

  async listForUser(userId: string): Promise<Passkey[]> {
    const rows = await this.#db
      .selectFrom('passkeys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toPasskey);
  }

  async rename(userId: string, id: string, name: string): Promise<Passkey | null> {
    const row = await this.#db
      .updateTable('passkeys')
      .set({ name })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst();
    return row ? toPasskey(row) : null;
  }

  async recordUse(
    id: string,
    expectedCounter: number,
    use: { counter: number; backedUp: boolean },
    now: number,
  ): Promise<boolean> {
    const recorded = await this.#db
      .updateTable('passkeys')
      .set({ counter: use.counter, backed_up: use.backedUp ? 1 : 0, last_used_at: now })
      .where('id', '=', id)
      .where('counter', '=', expectedCounter)
      .executeTakeFirst();
    return Number(recorded.numUpdatedRows) === 1;
  }

  async remove(userId: string, id: string, now: number): Promise<SecondFactorKind[] | null> {
    return this.#db.transaction().execute(async (trx) => {
      if (!(await lockAccount(trx, userId))) return null;
      const removed = await trx
        .deleteFrom('passkeys')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) return null;
      return writeSecondFactorKinds(trx, userId, now);
    });
  }
}
