import type { Kysely, Selectable } from 'kysely';
import type { AuditEvent, AuditEventType, AuditLog, AuditPage, AuditQuery, NewAuditEvent } from '../../core/audit.js';
import type { AuditEventsTable, Database } from './schema.js';

function toEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: String(row.id),
    at: Number(row.at),
    type: row.type as AuditEventType,
    userId: row.user_id,
    sessionId: row.session_id,
    ip: row.ip,
    userAgent: row.user_agent,
    country: row.country,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

/** The audit log in SQL (SQLite or PostgreSQL), newest first, paged by the increasing id. */
export class SqlAuditLog implements AuditLog {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async append(event: NewAuditEvent): Promise<void> {
    await this.#db
      .insertInto('audit_events')
      .values({
        at: event.at,
        type: event.type,
        user_id: event.userId,
        session_id: event.sessionId,
        ip: event.ip,
        user_agent: event.userAgent,
        country: event.country,
        details: JSON.stringify(event.details),
      })
      .execute();
  }

  async list(query: AuditQuery): Promise<AuditPage> {
    let select = this.#db
      .selectFrom('audit_events')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(query.limit + 1);
    if (query.userId) select = select.where('user_id', '=', query.userId);
    if (query.type) select = select.where('type', '=', query.type);
    const before = query.cursor ? decodeCursor(query.cursor) : null;
    if (before !== null) select = select.where('id', '<', before);
    const rows = await select.execute();
    const events = rows.slice(0, query.limit).map(toEvent);
    const last = events.at(-1);
    return { events, nextCursor: rows.length > query.limit && last ? encodeCursor(Number(last.id)) : null };
  }

  async pruneBefore(before: number): Promise<number> {
    const result = await this.#db.deleteFrom('audit_events').where('at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function encodeCursor(id: number): string {
  return Buffer.from(`a:${id}`).toString('base64url');
}

/** A cursor that does not decode to an id is treated as "from the start", never as an error. */
function decodeCursor(cursor: string): number | null {
  const match = /^a:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : null;
}
