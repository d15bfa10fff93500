import type { Kysely } from 'kysely';
import type { EmailToken, EmailTokenPurpose, EmailTokenStore } from '../../core/email-tokens.js';
import type { Database } from './schema.js';
import { toEmailToken } from './sql-token-redemption.js';

/** Email links in SQL (migration 0007); spending one is SqlUserRepository.redeemEmailToken. */
export class SqlEmailTokenStore implements EmailTokenStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(token: EmailToken): Promise<void> {
    await this.#db
      .insertInto('email_tokens')
      .values({
        token_hash: token.tokenHash,
        purpose: token.purpose,
        user_id: token.userId,
        email: token.email,
        created_at: token.createdAt,
        expires_at: token.expiresAt,
      })
      .execute();
  }

  async find(tokenHash: string): Promise<EmailToken | null> {
    const row = await this.#db
      .selectFrom('email_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row ? toEmailToken(row) : null;
  }

  async deleteForUser(userId: string, purposes: readonly EmailTokenPurpose[]): Promise<void> {
    if (purposes.length === 0) return;
    await this.#db
      .deleteFrom('email_tokens')
      .where('user_id', '=', userId)
      .where('purpose', 'in', [...purposes])
      .execute();
  }

  async pruneExpired(now: number): Promise<number> {
    const result = await this.#db.deleteFrom('email_tokens').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
