import { type Kysely, type Selectable, sql } from 'kysely';
import {
  methodSet,
  type Session,
  type SessionActivity,
  type SessionKind,
  type SessionProof,
  type SessionStore,
} from '../../core/session.js';
import type { Database, SessionsTable } from './schema.js';

function toSession(row: Selectable<SessionsTable>): Session {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    userId: row.user_id,
    kind: row.kind as SessionKind,
    userVersion: Number(row.user_version),
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
    idleExpiresAt: Number(row.idle_expires_at),
    absoluteExpiresAt: Number(row.absolute_expires_at),
    idleTimeoutMs: Number(row.idle_timeout_ms),
    rememberMe: row.remember_me === 1,
    ip: row.ip,
    userAgent: row.user_agent,
    browser: row.browser,
    os: row.os,
    country: row.country,
    csrfToken: row.csrf_token,
    provider: row.provider,
    authenticatedAt: Number(row.authenticated_at),
    methods: methodSet(JSON.parse(row.methods) as string[]),
    deviceKey: row.device_key,
  };
}

function toRow(session: Session): SessionsTable {
  return {
    token_hash: session.tokenHash,
    id: session.id,
    user_id: session.userId,
    kind: session.kind,
    user_version: session.userVersion,
    created_at: session.createdAt,
    last_seen_at: session.lastSeenAt,
    idle_expires_at: session.idleExpiresAt,
    absolute_expires_at: session.absoluteExpiresAt,
    idle_timeout_ms: session.idleTimeoutMs,
    remember_me: session.rememberMe ? 1 : 0,
    ip: session.ip,
    user_agent: session.userAgent,
    browser: session.browser,
    os: session.os,
    country: session.country,
    csrf_token: session.csrfToken,
    provider: session.provider,
    authenticated_at: session.authenticatedAt,
    methods: JSON.stringify(session.methods),
    device_key: session.deviceKey,
  };
}

/** Sessions in the SQL database: the embedded default, and the fallback when no Redis is configured. */
export class SqlSessionStore implements SessionStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(session: Session): Promise<void> {
    await this.#db.insertInto('sessions').values(toRow(session)).execute();
  }

  async findByTokenHash(tokenHash: string): Promise<Session | null> {
    const row = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row ? toSession(row) : null;
  }

  async findById(id: string): Promise<Session | null> {
    const row = await this.#db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSession(row) : null;
  }

  async touch(tokenHash: string, activity: SessionActivity): Promise<void> {
    await this.#db
      .updateTable('sessions')
      .set({
        last_seen_at: activity.lastSeenAt,
        idle_expires_at: activity.idleExpiresAt,
        ip: activity.ip,
        country: activity.country,
      })
      .where('token_hash', '=', tokenHash)
      .execute();
  }

  async update(tokenHash: string, proof: SessionProof): Promise<boolean> {
    const changes: Partial<SessionsTable> = {};
    if (proof.authenticatedAt !== undefined) changes.authenticated_at = proof.authenticatedAt;
    if (proof.methods !== undefined) changes.methods = JSON.stringify(proof.methods);
    if (proof.deviceKey !== undefined) changes.device_key = proof.deviceKey;
    if (Object.keys(changes).length === 0) return (await this.findByTokenHash(tokenHash)) !== null;
    const result = await this.#db
      .updateTable('sessions')
      .set(changes)
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async delete(tokenHash: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('sessions').where('token_hash', '=', tokenHash).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async listForUser(userId: string): Promise<Session[]> {
    const rows = await this.#db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
    return rows.map(toSession);
  }

  async deleteAllForUser(userId: string, exceptTokenHash?: string): Promise<number> {
    let query = this.#db.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptTokenHash) query = query.where('token_hash', '!=', exceptTokenHash);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async pruneExpired(now: number): Promise<number> {
    const result = await this.#db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('idle_expires_at', '<=', now), eb('absolute_expires_at', '<=', now)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async trimForUser(userId: string, keep: number): Promise<Session[]> {
    // One statement: Postgres and SQLite both rank and delete on one snapshot, and a concurrent trim that already
    // deleted a row makes this one skip it.
    const rows = await this.#db
      .deleteFrom('sessions')
      .where('token_hash', 'in', (eb) =>
        eb
          .selectFrom((inner) =>
            inner
              .selectFrom('sessions')
              .select(['token_hash', sql<number>`row_number() over (order by created_at desc, id desc)`.as('newness')])
              .where('user_id', '=', userId)
              .as('ranked'),
          )
          .select('ranked.token_hash')
          .where('ranked.newness', '>', keep),
      )
      .returningAll()
      .execute();
    return rows.map(toSession);
  }

  async countriesForUser(userId: string, now: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('sessions')
      .select('country')
      .distinct()
      .where('user_id', '=', userId)
      .where('country', 'is not', null)
      .where('idle_expires_at', '>', now)
      .where('absolute_expires_at', '>', now)
      .execute();
    return rows.map((row) => row.country as string).sort();
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#db);
  }

  async close(): Promise<void> {
    // The database connection belongs to the composition root, which closes it once for all repositories.
  }
}
