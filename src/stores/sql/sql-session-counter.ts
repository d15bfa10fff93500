import type { Kysely } from 'kysely';
import type { SessionKind } from '../../core/session.js';
import type { Database } from './schema.js';

/** Live sessions in the SQL store by kind (cookie sessions, API token families), for the metrics gauge. */
export async function countLiveSqlSessions(db: Kysely<Database>, now: number): Promise<Record<SessionKind, number>> {
  const rows = await db
    .selectFrom('sessions')
    .select(['kind', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('idle_expires_at', '>', now)
    .where('absolute_expires_at', '>', now)
    .groupBy('kind')
    .execute();
  const counts: Record<SessionKind, number> = { cookie: 0, api: 0 };
  for (const row of rows) counts[row.kind as SessionKind] = Number(row.n);
  return counts;
}
