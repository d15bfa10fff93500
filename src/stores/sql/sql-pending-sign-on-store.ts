import type { Kysely, Selectable } from 'kysely';
import type { PendingSignOn, PendingSignOnStore } from '../../core/identity.js';
import type { Database, OidcPendingTable } from './schema.js';

function toPending(row: Selectable<OidcPendingTable>): PendingSignOn {
  return {
    keyHash: row.key_hash,
    provider: row.provider,
    intent: row.intent === 'link' ? 'link' : 'sign-in',
    userId: row.user_id,
    sessionId: row.session_id,
    state: row.state,
    nonce: row.nonce,
    codeVerifier: row.code_verifier,
    returnTo: row.return_to,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

export interface SqlPendingSignOnStoreOptions {
  /** Most attempts kept at once; beyond it the oldest are dropped (default 10,000). */
  maxPending?: number;
}

/** Enough for 1,000 sign-on starts a minute, each given its ten minutes. */
const DEFAULT_MAX_PENDING = 10_000;

/**
 * Sign-on attempts in SQL, so that any instance behind a load balancer can finish what another started. Rows live
 * at most ten minutes; each insert sweeps the expired ones and, beyond `maxPending`, the oldest: anyone can start an
 * attempt, so the table must stay bounded even under starts from more addresses than the per-address budget sees.
 */
export class SqlPendingSignOnStore implements PendingSignOnStore {
  readonly #db: Kysely<Database>;
  readonly #maxPending: number;

  constructor(db: Kysely<Database>, options: SqlPendingSignOnStoreOptions = {}) {
    this.#db = db;
    this.#maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  }

  async insert(pending: PendingSignOn, now: number): Promise<void> {
    await this.#db.deleteFrom('oidc_pending').where('expires_at', '<=', now).execute();
    await this.#db
      .insertInto('oidc_pending')
      .values({
        key_hash: pending.keyHash,
        provider: pending.provider,
        intent: pending.intent,
        user_id: pending.userId,
        session_id: pending.sessionId,
        state: pending.state,
        nonce: pending.nonce,
        code_verifier: pending.codeVerifier,
        return_to: pending.returnTo,
        created_at: pending.createdAt,
        expires_at: pending.expiresAt,
      })
      .execute();
    // The newest maxPending attempts stay (expires_at orders them: every attempt lives as long); one index walk.
    await this.#db
      .deleteFrom('oidc_pending')
      .where('expires_at', '<', (eb) =>
        eb
          .selectFrom('oidc_pending')
          .select('expires_at')
          .orderBy('expires_at', 'desc')
          .limit(1)
          .offset(this.#maxPending - 1),
      )
      .execute();
  }

  async take(keyHash: string): Promise<PendingSignOn | null> {
    // DELETE … RETURNING (SQLite 3.35+, PostgreSQL): of two requests racing with the same cookie, one gets the row.
    const row = await this.#db
      .deleteFrom('oidc_pending')
      .where('key_hash', '=', keyHash)
      .returningAll()
      .executeTakeFirst();
    return row ? toPending(row) : null;
  }
}
