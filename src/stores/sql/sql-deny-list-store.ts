import type { Kysely } from 'kysely';
import type { DeniedFamily, DenyListStore } from '../../core/deny-list.js';
import type { Database } from './schema.js';

/** The shared deny list in SQL: each instance reads the active entries on every sync (a handful of rows). */
export class SqlDenyListStore implements DenyListStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async add(entry: DeniedFamily): Promise<void> {
    await this.#db
      .insertInto('denied_families')
      .values({ session_id: entry.sessionId, denied_until: entry.deniedUntil })
      .onConflict((oc) => oc.column('session_id').doUpdateSet({ denied_until: entry.deniedUntil }))
      .execute();
  }

  async listActive(now: number): Promise<DeniedFamily[]> {
    const rows = await this.#db.selectFrom('denied_families').selectAll().where('denied_until', '>', now).execute();
    return rows.map((r) => ({ sessionId: r.session_id, deniedUntil: Number(r.denied_until) }));
  }

  async pruneExpired(now: number): Promise<number> {
    const result = await this.#db.deleteFrom('denied_families').where('denied_until', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
