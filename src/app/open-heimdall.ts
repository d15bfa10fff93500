import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { resolveSecret } from '../config/secret-file.js';
import { loadConfigWithWarnings } from '../config/unknown-variables.js';
import { openDatabase, parseDatabaseUrl } from '../stores/sql/database.js';
import { migrateToLatest } from '../stores/sql/migrator.js';
import { type BuildServicesOptions, buildServices, type Services } from './build-services.js';
import { type ExistingDatabase, inspectDatabase, MissingDatabaseError, redactUrl } from './existing-database.js';
import { joinDeployment, missingDatabaseMessage } from './join-deployment.js';

export type Env = Record<string, string | undefined>;

/** The configuration with its secret settled, and where the secret came from when it was just made. */
export interface ResolvedConfig {
  config: Config;
  /** Set when HEIMDALL_SECRET was absent and a secret was generated into this file (warn once). */
  generatedSecretAt: string | null;
  /** Variables that look like Heimdall's but are not among those it reads (misspelt?), one line each. */
  warnings: string[];
}

/**
 * The server's settings: the environment checked, the data directory made on the zero-config start, and
 * HEIMDALL_SECRET settled (or the one kept in the data directory, generated on first start).
 */
export function resolveConfig(env: Env): ResolvedConfig {
  const { config: loaded, warnings } = loadConfigWithWarnings(env);
  prepareDataDirectory(loaded);
  const secret = resolveSecret(loaded.secret, loaded.dataDir);
  return { config: { ...loaded, secret: secret.secret }, generatedSecretAt: secret.createdAt, warnings };
}

/**
 * The zero-config start keeps its SQLite file in the data directory (`./data`): that one directory is made, private
 * to the server's user (0700). Any other missing directory on the way to the database is an error (database.ts).
 */
function prepareDataDirectory(config: Config): void {
  const parsed = parseDatabaseUrl(config.databaseUrl);
  if (parsed.dialect !== 'sqlite' || parsed.path === ':memory:') return;
  const directory = dirname(resolve(parsed.path));
  if (directory === resolve(config.dataDir) && !existsSync(directory)) mkdirSync(directory, { mode: 0o700 });
}

/**
 * Heimdall's services over an existing deployment's stores, for the CLI; the caller closes them. The database and
 * the secret must exist already (joinDeployment): a command never makes a new user database.
 */
export async function openHeimdall(
  env: Env,
  options: BuildServicesOptions & { warn?: (warning: string) => void } = {},
): Promise<{ config: Config; services: Services; database: ExistingDatabase }> {
  const { config, database } = await joinDeployment(env, 'cli', { warn: options.warn });
  const joining = database.deployment ? { record: database.deployment, who: 'this command' } : undefined;
  const services = await buildServices(config, { ...options, createDatabase: false, joining });
  return { config, database, services };
}

export interface MigrateOptions {
  /** Make the database (SQLite) or install the schema in an empty one; without it, only an existing one migrates. */
  create?: boolean;
  /** Told at once of each variable that looks like Heimdall's but is not one it reads. */
  warn?: (warning: string) => void;
}

/** Applies pending schema migrations (`heimdall migrate`); returns the database and the names applied. */
export async function migrateDatabase(
  env: Env,
  options: MigrateOptions = {},
): Promise<{ description: string; applied: string[] }> {
  const { config, warnings } = loadConfigWithWarnings(env);
  for (const warning of warnings) options.warn?.(warning);
  const url = `DATABASE_URL=${redactUrl(config.databaseUrl)}`;
  if (options.create) {
    prepareDataDirectory(config);
  } else {
    let existing: ExistingDatabase;
    try {
      existing = await inspectDatabase(config.databaseUrl);
    } catch (error) {
      if (!(error instanceof MissingDatabaseError)) throw error;
      throw new Error(missingDatabaseMessage(error, url, 'cli'));
    }
    if (existing.schema === 'none') {
      throw new Error(
        `${existing.description} has no Heimdall schema yet (${url}): \`heimdall migrate --create\` installs it.`,
      );
    }
  }
  const database = await openDatabase(config.databaseUrl, { create: options.create === true });
  try {
    return { description: database.description, applied: await migrateToLatest(database.db) };
  } finally {
    await database.close();
  }
}
