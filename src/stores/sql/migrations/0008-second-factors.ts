import type { Kysely, Migration } from 'kysely';

/**
 * Second factors and their ceremonies (issue 17): authenticator-app secrets (sealed with a key derived from
 * HEIMDALL_SECRET), recovery codes (keyed digests only), passkeys with each account's opaque WebAuthn user handle,
 * outstanding WebAuthn challenges, and sign-ins waiting for their second factor (digests of the 2fa cookie only).
 * Everything an account owns goes with the account (ON DELETE CASCADE).
 */
export const secondFactorsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('totp_factors')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('sealed_secret', 'text')
      .addColumn('last_step', 'bigint')
      .addColumn('enabled_at', 'bigint')
      .addColumn('pending_sealed_secret', 'text')
      .addColumn('pending_expires_at', 'bigint')
      .execute();

    await db.schema
      .createTable('recovery_codes')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('code_digest', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .addPrimaryKeyConstraint('recovery_codes_pk', ['user_id', 'code_digest'])
      .execute();

    await db.schema
      .createTable('webauthn_user_handles')
      .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('handle', 'text', (c) => c.notNull().unique())
      .execute();

    await db.schema
      .createTable('passkeys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('credential_id', 'text', (c) => c.notNull().unique())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('counter', 'bigint', (c) => c.notNull())
      .addColumn('transports', 'text', (c) => c.notNull())
      .addColumn('device_type', 'text', (c) => c.notNull())
      .addColumn('backed_up', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_used_at', 'bigint')
      .execute();
    await db.schema.createIndex('passkeys_user_id').on('passkeys').column('user_id').execute();

    await db.schema
      .createTable('webauthn_challenges')
      .addColumn('key_hash', 'text', (c) => c.primaryKey())
      .addColumn('purpose', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('challenge', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('webauthn_challenges_expires_at')
      .on('webauthn_challenges')
      .column('expires_at')
      .execute();

    await db.schema
      .createTable('pending_sign_ins')
      .addColumn('key_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('methods', 'text', (c) => c.notNull())
      .addColumn('provider', 'text')
      .addColumn('remember_me', 'integer', (c) => c.notNull())
      .addColumn('return_to', 'text')
      .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('pending_sign_ins_expires_at').on('pending_sign_ins').column('expires_at').execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of [
      'pending_sign_ins',
      'webauthn_challenges',
      'passkeys',
      'webauthn_user_handles',
      'recovery_codes',
      'totp_factors',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
