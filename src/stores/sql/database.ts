import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';

export type SqlDialectName = 'sqlite' | 'postgres';

/** An open SQL database and what it is, for logs and health checks. */
export interface SqlDatabase {
  db: Kysely<Database>;
  dialect: SqlDialectName;
  /** Where it lives, without credentials. */
  description: string;
  /** SQLite only: `PRAGMA data_version` of the connection Kysely uses (changes when another connection commits). */
  dataVersion?: () => number;
  close(): Promise<void>;
}

/** Parses `sqlite:<path>` (or `sqlite::memory:`) and `postgres://…` URLs. */
export function parseDatabaseUrl(
  url: string,
): { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string } {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { dialect: 'postgres', url };
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!rest) throw new TypeError('DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./data/heimdall.db');
    return { dialect: 'sqlite', path: rest };
  }
  throw new TypeError('DATABASE_URL must start with sqlite: or postgres://');
}

export interface OpenDatabaseOptions {
  /** SQLite: make the file when it does not exist (default). Off, a missing file is a MissingDatabaseError. */
  create?: boolean;
}

/** No SQLite file where DATABASE_URL points: named, so that callers can say where they looked. */
export class MissingDatabaseError extends Error {
  readonly path: string;
  constructor(path: string) {
    super(`found no database at ${path}`);
    this.name = 'MissingDatabaseError';
    this.path = path;
  }
}

export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<SqlDatabase> {
  const parsed = parseDatabaseUrl(url);
  return parsed.dialect === 'sqlite' ? openSqlite(parsed.path, options.create ?? true) : openPostgres(parsed.url);
}

function openSqlite(path: string, create: boolean): SqlDatabase {
  const inMemory = path === ':memory:';
  if (!inMemory) {
    const file = resolve(path);
    if (!create && !existsSync(file)) throw new MissingDatabaseError(file);
    // A typo in DATABASE_URL must not grow a directory tree (as root, in a container): the directory must exist.
    if (!existsSync(dirname(file))) {
      throw new Error(`DATABASE_URL: the directory ${dirname(file)} does not exist (for the database ${file}).`);
    }
    // Private from the start: the file holds password hashes. SQLite gives its -wal and -shm files the database
    // file's mode, so making this one 0600 before SQLite does (with the umask's 0644) covers all three.
    if (create && !existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  }
  const sqlite = new SQLite(path, { fileMustExist: !create && !inMemory });
  // WAL lets the CLI and a running server share the file; busy_timeout makes writers wait instead of failing.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  return {
    db,
    dialect: 'sqlite',
    description: inMemory ? 'sqlite (in memory)' : `sqlite ${resolve(path)}`,
    dataVersion: () => dataVersion.get() as number,
    close: () => db.destroy(),
  };
}

async function openPostgres(url: string): Promise<SqlDatabase> {
  const pg = await import('pg');
  const INT8_OID = 20;
  // Times are epoch milliseconds in BIGINT columns: well inside Number's exact range, so parse them as numbers.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID
        ? Number
        : pg.default.types.getTypeParser(oid, format as 'text')) as typeof pg.default.types.getTypeParser,
  };
  const pool = new pg.default.Pool({ connectionString: url, types, max: 10 });
  // An idle pooled connection that the server drops (restart, failover, admin kill) is reported as an 'error' event
  // on the pool; without a listener it would crash the process. The pool discards that client by itself and the next
  // query opens a new one; queries that fail meanwhile surface as 503 (stores/sql/sql-outage.ts).
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const safe = new URL(url);
  return {
    db,
    dialect: 'postgres',
    description: `postgres ${safe.hostname}:${safe.port || 5432}${safe.pathname}`,
    close: () => db.destroy(),
  };
}

/** Unique-constraint violation on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
