import type { Kysely } from 'kysely';
import type { CeremonyPurpose, ChallengeStore, WebAuthnChallenge } from '../../core/ceremonies.js';
import type { Database } from './schema.js';

/** WebAuthn challenges in SQL, so any instance can finish a ceremony another began; each put sweeps expired ones. */
export class SqlChallengeStore implements ChallengeStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async put(challenge: WebAuthnChallenge, now: number): Promise<void> {
    await this.#db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).execute();
    const row = {
      key_hash: challenge.keyHash,
      purpose: challenge.purpose,
      user_id: challenge.userId,
      challenge: challenge.challenge,
      expires_at: challenge.expiresAt,
    };
    // A new request from the same session (or cookie) replaces its earlier challenge, which then answers nothing.
    await this.#db
      .insertInto('webauthn_challenges')
      .values(row)
      .onConflict((oc) => oc.column('key_hash').doUpdateSet(row))
      .execute();
  }

  async take(keyHash: string, purpose: CeremonyPurpose): Promise<WebAuthnChallenge | null> {
    // DELETE … RETURNING: of two requests racing with one key, one gets the row.
    const row = await this.#db
      .deleteFrom('webauthn_challenges')
      .where('key_hash', '=', keyHash)
      .returningAll()
      .executeTakeFirst();
    if (!row || row.purpose !== purpose) return null;
    return {
      keyHash: row.key_hash,
      purpose,
      userId: row.user_id,
      challenge: row.challenge,
      expiresAt: Number(row.expires_at),
    };
  }
}
