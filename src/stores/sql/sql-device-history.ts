import type { Kysely } from 'kysely';
import type { DeviceHistory } from '../../core/anomaly.js';
import type { Database } from './schema.js';

/** Device families per user in SQL; the primary key makes "first time seen" one atomic insert. */
export class SqlDeviceHistory implements DeviceHistory {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async remember(userId: string, family: string, at: number): Promise<boolean> {
    const result = await this.#db
      .insertInto('known_devices')
      .values({ user_id: userId, family: family.slice(0, 200), first_seen_at: at })
      .onConflict((oc) => oc.columns(['user_id', 'family']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }
}
