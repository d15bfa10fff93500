import { type Kysely, type Migration, PostgresAdapter, sql } from 'kysely';

/** The audit log of security events, and the device families each user has signed in from (new-device warnings). */
export const auditMigration: Migration = {
  async up(db: Kysely<unknown>) {
    // An increasing id orders events that share a millisecond and makes a stable pagination cursor.
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .createTable('audit_events')
      .addColumn('id', postgres ? sql`bigserial` : 'integer', (c) =>
        postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      // No foreign key: the trail of a deleted account is evidence worth keeping until retention removes it.
      .addColumn('user_id', 'text')
      .addColumn('session_id', 'text')
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('country', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_events_user_id').on('audit_events').columns(['user_id', 'id']).execute();
    await db.schema.createIndex('audit_events_type').on('audit_events').columns(['type', 'id']).execute();
    await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();

    await db.schema
      .createTable('known_devices')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('family', 'text', (c) => c.notNull())
      .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('known_devices_pk', ['user_id', 'family'])
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('known_devices').execute();
    await db.schema.dropTable('audit_events').execute();
  },
};
