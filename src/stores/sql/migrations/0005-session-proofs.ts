import { type Kysely, type Migration, sql } from 'kysely';

/**
 * How each session was proven and whether it is bound to a device key; whether each account's email is verified
 * and which second factors it holds (issues 16, 17, 21). Existing sessions count as proven when they were made, by
 * the way they were made (a provider, or a password); existing accounts start unverified with no second factor.
 */
export const sessionProofsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('sessions')
      .addColumn('authenticated_at', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('sessions')
      .addColumn('methods', 'text', (c) => c.notNull().defaultTo('["password"]'))
      .execute();
    await db.schema.alterTable('sessions').addColumn('device_key', 'text').execute();
    await sql`update sessions set authenticated_at = created_at`.execute(db);
    await sql`update sessions set methods = '["oidc"]' where provider is not null`.execute(db);

    await db.schema
      .alterTable('users')
      .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('users')
      .addColumn('second_factors', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const column of ['authenticated_at', 'methods', 'device_key']) {
      await db.schema.alterTable('sessions').dropColumn(column).execute();
    }
    for (const column of ['email_verified', 'second_factors']) {
      await db.schema.alterTable('users').dropColumn(column).execute();
    }
  },
};
