import type { Kysely, Migration } from 'kysely';

/**
 * Email links and the outgoing mail queue (issue 16). Links are stored as SHA-256 digests only; queued messages are
 * sealed under HEIMDALL_SECRET (they carry live links until sent) and leave the table once delivered. Both go with
 * their account when it is deleted.
 */
export const accountsMailMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('email_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('email_tokens_user_id').on('email_tokens').column('user_id').execute();
    await db.schema.createIndex('email_tokens_expires_at').on('email_tokens').column('expires_at').execute();

    await db.schema
      .createTable('mail_queue')
      // UUIDv7: ids sort in the order messages were queued.
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('sealed', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      // When the link inside dies: a message still undelivered then is dropped rather than sent dead.
      .addColumn('expires_at', 'bigint')
      // Which instance is sending it, until when: another instance may take it over only after the lease ends.
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .execute();
    await db.schema.createIndex('mail_queue_next_attempt_at').on('mail_queue').column('next_attempt_at').execute();
    await db.schema.createIndex('mail_queue_user_id').on('mail_queue').column('user_id').execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('mail_queue').execute();
    await db.schema.dropTable('email_tokens').execute();
  },
};
