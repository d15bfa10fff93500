import { openDatabase, type SqlDatabase } from '../stores/sql/database.js';
import { pendingMigrations } from '../stores/sql/migrator.js';
import { type DeploymentRecord, readDeploymentRecord } from '../stores/sql/sql-deployment-record.js';
import { describeError } from './describe-error.js';

export { MissingDatabaseError } from '../stores/sql/database.js';

/** What a process that joins an existing deployment (the CLI, an embedding app) finds in its database. */
export interface ExistingDatabase {
  /** Where it is, without credentials: `sqlite /abs/path.db`, `postgres host:5432/db`. */
  description: string;
  /** `none`: no Heimdall table at all (an empty or foreign database); `behind`: migrations pending. */
  schema: 'none' | 'behind' | 'current';
  pending: string[];
  /** What the Heimdall server last started with, when one has started on it. */
  deployment: DeploymentRecord | null;
}

/**
 * Opens the configured database only to look at it: a SQLite file that does not exist is a MissingDatabaseError, never
 * created, so that a command run from the wrong directory cannot make a second, empty user database.
 */
export async function inspectDatabase(databaseUrl: string): Promise<ExistingDatabase> {
  const database = await openDatabase(databaseUrl, { create: false });
  try {
    return await readState(database);
  } catch (error) {
    throw new Error(`could not open the database ${database.description}: ${describeError(error)}`, { cause: error });
  } finally {
    await database.close();
  }
}

async function readState(database: SqlDatabase): Promise<ExistingDatabase> {
  const tables = new Set((await database.db.introspection.getTables()).map((t) => t.name));
  if (!tables.has('heimdall_migrations')) {
    return { description: database.description, schema: 'none', pending: [], deployment: null };
  }
  const pending = await pendingMigrations(database.db);
  return {
    description: database.description,
    schema: pending.length > 0 ? 'behind' : 'current',
    pending,
    deployment: tables.has('app_meta') ? await readDeploymentRecord(database.db) : null,
  };
}

/** A database URL fit for a message or a log line: a password in it is replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
