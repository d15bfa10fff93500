import type { Kysely, Selectable } from 'kysely';
import type {
  PublicJwk,
  SigningAlgorithm,
  SigningKeyRepository,
  SigningKeyState,
  StoredSigningKey,
} from '../../core/signing-key.js';
import { isUniqueViolation } from './database.js';
import type { Database, SigningKeysTable } from './schema.js';

function toKey(row: Selectable<SigningKeysTable>): StoredSigningKey {
  return {
    kid: row.kid,
    alg: row.alg as SigningAlgorithm,
    state: row.state as SigningKeyState,
    publicJwk: JSON.parse(row.public_jwk) as PublicJwk,
    sealedPrivateJwk: row.sealed_private_jwk,
    createdAt: Number(row.created_at),
    retireAfter: row.retire_after === null ? null : Number(row.retire_after),
    retiredAt: row.retired_at === null ? null : Number(row.retired_at),
  };
}

/** Signing keys in SQL (SQLite or PostgreSQL). */
export class SqlSigningKeyRepository implements SigningKeyRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async list(): Promise<StoredSigningKey[]> {
    const rows = await this.#db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
    return rows.map(toKey);
  }

  async activate(key: StoredSigningKey, replacing: { kid: string | null; retireAfter: number }): Promise<boolean> {
    try {
      return await this.#db.transaction().execute(async (trx) => {
        if (replacing.kid !== null) {
          // Compare-and-swap on the previous active key: a concurrent rotation that already demoted it wins.
          const demoted = await trx
            .updateTable('signing_keys')
            .set({ state: 'verify-only', retire_after: replacing.retireAfter })
            .where('kid', '=', replacing.kid)
            .where('state', '=', 'active')
            .executeTakeFirst();
          if (Number(demoted.numUpdatedRows) !== 1) return false;
        }
        // The partial unique index refuses a second active key, so two first-starts cannot both insert one.
        await trx
          .insertInto('signing_keys')
          .values({
            kid: key.kid,
            alg: key.alg,
            state: 'active',
            public_jwk: JSON.stringify(key.publicJwk),
            sealed_private_jwk: key.sealedPrivateJwk,
            created_at: key.createdAt,
            retire_after: null,
            retired_at: null,
          })
          .execute();
        return true;
      });
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async retire(kid: string, now: number): Promise<void> {
    await this.#db
      .updateTable('signing_keys')
      .set({ state: 'retired', sealed_private_jwk: null, retired_at: now })
      .where('kid', '=', kid)
      .where('state', '=', 'verify-only')
      .execute();
  }
}
