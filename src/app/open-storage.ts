import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { RedisLogger } from '../stores/redis/redis-connection.js';
import { openDatabase, type SqlDatabase } from '../stores/sql/database.js';
import { migrateToLatest } from '../stores/sql/migrator.js';
import { type Joining, recordDeployment, verifySameSessionStore } from './deployment-record.js';
import { describeError } from './describe-error.js';
import { openStores } from './open-stores.js';
import { tightenPrivateFiles } from './private-files.js';

export interface StorageOptions {
  clock: Clock;
  /** Where store warnings go (Redis link lost/restored); silent when absent. */
  logger?: RedisLogger;
  /** Make the SQLite file when it is missing (default true: the server's zero-config start; false for the CLI). */
  createDatabase?: boolean;
  /** Run migrations on open (default true; `heimdall migrate` exists for those who migrate separately). */
  migrate?: boolean;
  /** Write the deployment record (the server, at start) for the CLI and embedding apps to read. */
  recordDeployment?: boolean;
  /** The server's record, for a process joining its deployment: its session store must be the server's. */
  joining?: Joining;
}

/**
 * The database (migrated) and the stores over it, checked against the deployment record. On any failure what was
 * opened is closed again, so a refused start leaves no connection behind.
 */
export async function openStorage(
  config: Config,
  options: StorageOptions,
): Promise<{ database: SqlDatabase; stores: Awaited<ReturnType<typeof openStores>> }> {
  tightenPrivateFiles(config, (message) => options.logger?.warn(message));
  const database = await openDatabase(config.databaseUrl, { create: options.createDatabase ?? true });
  try {
    if (options.migrate !== false) await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw new Error(`could not open the database ${database.description}: ${describeError(error)}`, { cause: error });
  }
  let stores: Awaited<ReturnType<typeof openStores>>;
  try {
    stores = await openStores(config, database, options.clock, options.logger);
  } catch (error) {
    await database.close();
    throw error;
  }
  try {
    if (options.recordDeployment) await recordDeployment(database.db, config, stores.redis, options.clock);
    if (options.joining) await verifySameSessionStore(options.joining, config, stores.redis);
  } catch (error) {
    await stores.close();
    await database.close();
    throw error;
  }
  return { database, stores };
}
