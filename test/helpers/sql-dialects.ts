import { afterAll } from 'vitest';
import { openDatabase, type SqlDatabase } from '../../src/stores/sql/database.js';
import { migrateToLatest } from '../../src/stores/sql/migrator.js';
import { PostgresServer } from './postgres-server.js';

export type DialectName = 'sqlite' | 'postgres';

/** Every SQL database Heimdall supports; suites loop over it (`for (const dialect of DIALECTS)`). */
export const DIALECTS: DialectName[] = ['sqlite', 'postgres'];

export const DIALECT_LABELS: Record<DialectName, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

export interface SqlDatabases {
  /** A URL of a fresh, empty database: in-memory SQLite, or a new database on this file's PostgreSQL server. */
  url(dialect: DialectName): Promise<string>;
  /** A fresh database, opened and migrated; closed after the file's tests. */
  open(dialect: DialectName): Promise<SqlDatabase>;
}

/**
 * Call once at the top of a test file: the file's PostgreSQL server starts on first use (not at all for SQLite-only
 * runs) and stops after the file, with every database opened through it.
 */
export function useSqlDatabases(): SqlDatabases {
  let server: Promise<PostgresServer> | undefined;
  const opened: SqlDatabase[] = [];
  afterAll(async () => {
    for (const database of opened) await database.close();
    if (server) await (await server).stop();
  });
  const databases: SqlDatabases = {
    async url(dialect) {
      if (dialect === 'sqlite') return 'sqlite::memory:';
      server ??= PostgresServer.start();
      return (await server).createDatabase();
    },
    async open(dialect) {
      const database = await openDatabase(await databases.url(dialect));
      opened.push(database);
      await migrateToLatest(database.db);
      return database;
    },
  };
  return databases;
}

/** Inserts a bare user row (for stores with foreign keys to users). */
export async function insertUserRow(database: SqlDatabase, id: string): Promise<void> {
  await database.db
    .insertInto('users')
    .values({
      id,
      email: `${id}@example.test`,
      name: id,
      roles: '["user"]',
      password_hash: null,
      disabled: 0,
      session_version: 0,
      created_at: 0,
      updated_at: 0,
      email_verified: 0,
      second_factors: '[]',
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}
