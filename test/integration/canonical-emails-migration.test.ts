import { type Kysely, type Migration, Migrator } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/stores/sql/database.js';
import { MIGRATIONS } from '../../src/stores/sql/migrations/index.js';
import { migrateToLatest } from '../../src/stores/sql/migrator.js';
import { DIALECT_LABELS, DIALECTS, useSqlDatabases } from '../helpers/sql-dialects.js';

const databases = useSqlDatabases();

/** Applies every migration but 0006, as a database from before issue 15 has them. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run over any schema
async function migrateBefore0006(db: Kysely<any>): Promise<void> {
  const earlier = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name !== '0006-canonical-emails'));
  const result = await new Migrator({
    db,
    provider: { getMigrations: async (): Promise<Record<string, Migration>> => earlier },
    migrationTableName: 'heimdall_migrations',
    migrationLockTableName: 'heimdall_migrations_lock',
    allowUnorderedMigrations: true,
  }).migrateToLatest();
  if (result.error) throw result.error;
}

for (const dialect of DIALECTS) {
  describe(`migration 0006 (canonical emails) on ${DIALECT_LABELS[dialect]}`, () => {
    it('moves full-width emails to their NFKC form, and leaves taken or invisible ones as they were', async () => {
      const database = await openDatabase(await databases.url(dialect));
      try {
        await migrateBefore0006(database.db);
        const rows = {
          ascii: 'odin@asgard.example',
          wide: 'ｆｒｅｙａ@vanaheim.example',
          // A lookalike pair from before the rule: the canonical form belongs to the ASCII account.
          twin: 'ｏｄｉｎ@asgard.example',
          invisible: 'b\u200baldr@asgard.example',
        };
        for (const [id, email] of Object.entries(rows)) {
          await database.db
            .insertInto('users')
            .values({
              id,
              email,
              name: id,
              roles: '["user"]',
              password_hash: null,
              disabled: 0,
              email_verified: 0,
              second_factors: '[]',
              session_version: 0,
              created_at: 0,
              updated_at: 0,
            })
            .execute();
        }
        expect(await migrateToLatest(database.db)).toEqual(['0006-canonical-emails']);
        const stored = await database.db.selectFrom('users').select(['id', 'email']).orderBy('id').execute();
        expect(Object.fromEntries(stored.map((r) => [r.id, r.email]))).toEqual({
          ascii: 'odin@asgard.example',
          wide: 'freya@vanaheim.example',
          twin: 'ｏｄｉｎ@asgard.example',
          invisible: 'b\u200baldr@asgard.example',
        });
      } finally {
        await database.close();
      }
    });
  });
}
