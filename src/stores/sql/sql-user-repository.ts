import { type Kysely, type Selectable, sql, type UpdateObject } from 'kysely';
import type {
  CreateUserResult,
  ListUsersOptions,
  NewUser,
  SecondFactorKind,
  User,
  UserChanges,
  UserPage,
  UserRepository,
} from '../../core/user.js';
import { isUniqueViolation } from './database.js';
import type { Database, UsersTable } from './schema.js';

const FIRST_USER_KEY = 'first_user';

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

  constructor(db: Kysely<Database>) {
    this.#db = db;
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
            roles: JSON.stringify(['user']),
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

  async setRoles(id: string, roles: string[], now: number): Promise<User | null> {
    return this.#updateReturning(id, { roles: JSON.stringify(roles), updated_at: now });
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
    if (changes.disabled !== undefined) row.disabled = changes.disabled ? 1 : 0;
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
    // UPDATE … RETURNING works on both SQLite (3.35+) and PostgreSQL and keeps the write and the read atomic.
    const row = await this.#db.updateTable('users').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
    return row ? toUser(row) : null;
  }
}
