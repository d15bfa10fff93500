import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openDatabase, type SqlDatabase } from '../../src/stores/sql/database.js';
import { migrateToLatest } from '../../src/stores/sql/migrator.js';
import { type DialectName, useSqlDatabases } from './sql-dialects.js';

/** One fresh database seen through two independent connections, as two processes see it. */
export interface TwoConnections {
  /** The connection under test, migrated. */
  database: SqlDatabase;
  /** Another connection to the same database: SQLite, the same file; PostgreSQL, a second pool. */
  other: SqlDatabase;
  close(): Promise<void>;
}

/**
 * Call once at the top of a test file. SQLite databases are files in a temp directory removed after the file: a
 * second connection to `:memory:` would open a different database, and PRAGMA data_version only moves when another
 * connection commits to the same file. PostgreSQL databases are new ones on the file's server (useSqlDatabases).
 * Every database opened here is closed by close(), or after the file at the latest.
 */
export function useTwoConnections(): (dialect: DialectName) => Promise<TwoConnections> {
  const databases = useSqlDatabases();
  const open = new Set<SqlDatabase>();
  let dir: string | undefined;
  let files = 0;
  afterAll(async () => {
    for (const database of open) await database.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const connect = async (url: string) => {
    const database = await openDatabase(url);
    open.add(database);
    return database;
  };
  return async (dialect) => {
    let url: string;
    if (dialect === 'sqlite') {
      dir ??= mkdtempSync(join(tmpdir(), 'heimdall-two-connections-'));
      url = `sqlite:${join(dir, `db-${++files}.db`)}`;
    } else {
      url = await databases.url(dialect);
    }
    const database = await connect(url);
    await migrateToLatest(database.db);
    const other = await connect(url);
    return {
      database,
      other,
      async close() {
        for (const db of [other, database]) {
          if (open.delete(db)) await db.close();
        }
      },
    };
  };
}
