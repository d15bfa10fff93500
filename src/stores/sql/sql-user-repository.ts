import { type Kysely, PostgresAdapter, type Selectable, sql, type Transaction, type UpdateObject } from 'kysely';
import type {
  CreateUserResult,
  GuardedUserWrite,
  ListUsersOptions,
  NewUser,
  RedeemResult,
  SecondFactorKind,
  TokenRedemption,
  User,
  UserChanges,
  UserPage,
  UserRepository,
} from '../../core/user.js';
import { isUniqueViolation } from './database.js';
import type { Database, UsersTable } from './schema.js';
import { redeemInTransaction } from './sql-token-redemption.js';

const FIRST_USER_KEY = 'first_user';

/** Roles are a JSON array of names matching ^[a-z][a-z0-9_.-]*$, so the quoted name matches the exact role only. */
const ADMIN_PATTERN = '%"admin"%';

/**
 * The last-active-admin rule as a condition on the row being written: it is not an active admin, or another active
 * admin exists. Evaluated by the database inside the write itself, not read beforehand (check-then-write would
 * let two instances each remove one of the last two admins).
 */
function keepsAnActiveAdmin(id: string) {
  return sql<boolean>`(not (disabled = 0 and roles like ${ADMIN_PATTERN}) or exists (
    select 1 from users as other where other.id <> ${id} and other.disabled = 0 and other.roles like ${ADMIN_PATTERN}
  ))`;
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: JSON.parse(row.roles) as string[],
    passwordHash: row.password_hash,
    disabled: row.disabled === 1,
    emailVerified: row.email_verified === 1,
    secondFactors: JSON.parse(row.second_factors) as SecondFactorKind[],
    sessionVersion: Number(row.session_version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Users in SQL (SQLite or PostgreSQL) through Kysely. */
export class SqlUserRepository implements UserRepository {
  readonly #db: Kysely<Database>;
  readonly #postgres: boolean;

  constructor(db: Kysely<Database>) {
    this.#db = db;
    this.#postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async create(user: NewUser): Promise<CreateUserResult> {
    try {
      const created = await this.#db.transaction().execute(async (trx) => {
        // Whoever inserts the first_user fact inside their transaction is the first user; concurrent sign-ups on
        // PostgreSQL serialise on its primary key, so exactly one account ever becomes the bootstrap admin.
        await trx
          .insertInto('users')
          .values({
            id: user.id,
            email: user.email,
            name: user.name,
            roles: JSON.stringify(user.roles ?? ['user']),
            password_hash: user.passwordHash,
            disabled: 0,
            session_version: 0,
            created_at: user.createdAt,
            updated_at: user.createdAt,
            email_verified: user.emailVerified ? 1 : 0,
            second_factors: '[]',
          })
          .execute();
        const claimed = await trx
          .insertInto('app_meta')
          .values({ key: FIRST_USER_KEY, value: user.id, created_at: user.createdAt })
          .onConflict((oc) => oc.column('key').doNothing())
          .executeTakeFirst();
        if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 1) {
          await trx
            .updateTable('users')
            .set({ roles: JSON.stringify(['admin']) })
            .where('id', '=', user.id)
            .execute();
        }
        return trx.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
      });
      return { ok: true, user: toUser(created) };
    } catch (error) {
      if (isUniqueViolation(error)) return { ok: false, code: 'email_taken' };
      throw error;
    }
  }

  async findById(id: string): Promise<User | null> {
    const row = await this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const row = await this.#db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async list(options: ListUsersOptions): Promise<UserPage> {
    let query = this.#db
      .selectFrom('users')
      .selectAll()
      .orderBy('id')
      .limit(options.limit + 1);
    if (options.cursor) query = query.where('id', '>', options.cursor);
    if (options.query) {
      const pattern = `%${escapeLike(options.query.toLowerCase())}%`;
      query = query.where((eb) =>
        eb.or([
          eb(sql`lower(email)`, 'like', sql`${pattern} escape '\\'`),
          eb(sql`lower(name)`, 'like', sql`${pattern} escape '\\'`),
        ]),
      );
    }
    const rows = await query.execute();
    const page = rows.slice(0, options.limit).map(toUser);
    const nextCursor = rows.length > options.limit ? (page.at(-1)?.id ?? null) : null;
    return { users: page, nextCursor };
  }

  async setRoles(id: string, roles: string[], now: number): Promise<GuardedUserWrite> {
    const changes = { roles: JSON.stringify(roles), updated_at: now };
    if (roles.includes('admin')) return this.#classify(id, await this.#updateRow(this.#db, id, changes));
    return this.#guarded(id, (db) =>
      db.updateTable('users').set(changes).where('id', '=', id).where(keepsAnActiveAdmin(id)).returningAll(),
    );
  }

  async setDisabled(id: string, disabled: boolean, now: number): Promise<GuardedUserWrite> {
    if (!disabled) return this.#classify(id, await this.#updateRow(this.#db, id, { disabled: 0, updated_at: now }));
    return this.#guarded(id, (db) =>
      db
        .updateTable('users')
        .set({ disabled: 1, session_version: sql<number>`session_version + 1`, updated_at: now })
        .where('id', '=', id)
        .where(keepsAnActiveAdmin(id))
        .returningAll(),
    );
  }

  delete(id: string): Promise<GuardedUserWrite> {
    // Sessions kept in SQL, identities, tokens, devices, purchases and queued mail go by their foreign keys
    // (ON DELETE CASCADE) in this same statement; audit events keep only the opaque id.
    return this.#guarded(id, (db) =>
      db.deleteFrom('users').where('id', '=', id).where(keepsAnActiveAdmin(id)).returningAll(),
    );
  }

  redeemEmailToken(userId: string, redemption: TokenRedemption): Promise<RedeemResult> {
    return redeemInTransaction(this.#db, userId, redemption, toUser);
  }

  async setPassword(id: string, passwordHash: string, now: number): Promise<User | null> {
    return this.#updateReturning(id, {
      password_hash: passwordHash,
      session_version: sql<number>`session_version + 1`,
      updated_at: now,
    });
  }

  async update(id: string, changes: UserChanges, now: number): Promise<User | null> {
    const row: UpdateObject<Database, 'users'> = { updated_at: now };
    if (changes.name !== undefined) row.name = changes.name;
    if (changes.emailVerified !== undefined) row.email_verified = changes.emailVerified ? 1 : 0;
    if (changes.secondFactors !== undefined) row.second_factors = JSON.stringify(changes.secondFactors);
    return this.#updateReturning(id, row);
  }

  async bumpSessionVersion(id: string, now: number): Promise<User | null> {
    return this.#updateReturning(id, { session_version: sql<number>`session_version + 1`, updated_at: now });
  }

  async countWithRole(role: string): Promise<number> {
    const rows = await this.#db
      .selectFrom('users')
      .select('roles')
      .where('roles', 'like', sql<string>`${`%"${escapeLike(role)}"%`} escape '\\'`)
      .execute();
    return rows.filter((r) => (JSON.parse(r.roles) as string[]).includes(role)).length;
  }

  async #updateReturning(id: string, changes: UpdateObject<Database, 'users'>) {
    const row = await this.#updateRow(this.#db, id, changes);
    return row ? toUser(row) : null;
  }

  #updateRow(db: Kysely<Database>, id: string, changes: UpdateObject<Database, 'users'>) {
    // UPDATE … RETURNING works on both SQLite (3.35+) and PostgreSQL and keeps the write and the read atomic.
    return db.updateTable('users').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /**
   * Runs a write guarded by keepsAnActiveAdmin(). SQLite serialises writers: a write statement takes the database's
   * write lock before it reads, so its condition sees every committed change and no other writer can interleave; the
   * one statement is the whole transaction. PostgreSQL's READ COMMITTED would let two such statements each see the
   * other admin still active (write skew), so the active admins' rows are locked first (FOR UPDATE, in id order, so
   * concurrent guards queue instead of deadlocking); once a lock is granted, the write's fresh snapshot sees the
   * change of whoever held it before.
   */
  async #guarded(
    id: string,
    write: (db: Kysely<Database>) => { executeTakeFirst(): Promise<Selectable<UsersTable> | undefined> },
  ): Promise<GuardedUserWrite> {
    if (!this.#postgres) return this.#classify(id, await write(this.#db).executeTakeFirst());
    const row = await this.#db.transaction().execute(async (trx: Transaction<Database>) => {
      await sql`select id from users where disabled = 0 and roles like ${ADMIN_PATTERN} order by id for update`.execute(
        trx,
      );
      return write(trx).executeTakeFirst();
    });
    return this.#classify(id, row);
  }

  /** The written row as a user, or why there is none: no such user, or the guard refused. */
  async #classify(id: string, row: Selectable<UsersTable> | undefined): Promise<GuardedUserWrite> {
    if (row) return { ok: true, user: toUser(row) };
    const exists = await this.#db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
    return { ok: false, code: exists ? 'last_admin' : 'not_found' };
  }
}
