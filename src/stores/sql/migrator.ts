import { type Kysely, type Migration, type MigrationResultSet, Migrator } from 'kysely';
import { MIGRATIONS } from './migrations/index.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run over any schema
function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async (): Promise<Record<string, Migration>> => MIGRATIONS },
    migrationTableName: 'heimdall_migrations',
    migrationLockTableName: 'heimdall_migrations_lock',
    // Migrations of different features touch different tables, so one that lands later with a lower number is safe
    // to run after higher ones already applied.
    allowUnorderedMigrations: true,
  });
}

/** Brings the schema to the latest version; throws with the failing migration's name. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run over any schema
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const result: MigrationResultSet = await createMigrator(db).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    // No migration ran (the database could not be reached, the lock not taken): the error itself says why.
    if (!failed) throw result.error;
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`Migration ${failed} failed: ${reason}`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of migrations not yet applied (readiness checks). */
// biome-ignore lint/suspicious/noExplicitAny: migrations run over any schema
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const all = await createMigrator(db).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
