import { type Config, loadConfig } from '../config/config.js';
import { resolveSecret } from '../config/secret-file.js';
import { openDatabase } from '../stores/sql/database.js';
import { migrateToLatest, pendingMigrations } from '../stores/sql/migrator.js';
import { type BuildServicesOptions, buildServices, type Services } from './build-services.js';

export type Env = Record<string, string | undefined>;

/** The configuration with its secret settled, and where the secret came from when it was just made. */
export interface ResolvedConfig {
  config: Config;
  /** Set when HEIMDALL_SECRET was absent and a secret was generated into this file (warn once). */
  generatedSecretAt: string | null;
}

/** Reads and checks the environment, then settles HEIMDALL_SECRET (or the one kept in the data directory). */
export function resolveConfig(env: Env): ResolvedConfig {
  const loaded = loadConfig(env);
  const secret = resolveSecret(loaded.secret, loaded.dataDir);
  return { config: { ...loaded, secret: secret.secret }, generatedSecretAt: secret.createdAt };
}

/** Heimdall's services over the configured stores, for the CLI and embedding hosts; the caller closes them. */
export async function openHeimdall(
  env: Env,
  options: BuildServicesOptions = {},
): Promise<{ config: Config; services: Services }> {
  const { config } = resolveConfig(env);
  return { config, services: await buildServices(config, options) };
}

/** Applies pending schema migrations (`heimdall migrate`); returns the names applied. */
export async function migrateDatabase(env: Env): Promise<string[]> {
  const database = await openDatabase(loadConfig(env).databaseUrl);
  try {
    return await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
}

/** Names of the migrations the configured database has not applied yet (opened only for this question). */
export async function pendingMigrationsOf(databaseUrl: string): Promise<string[]> {
  const database = await openDatabase(databaseUrl);
  try {
    return await pendingMigrations(database.db);
  } finally {
    await database.close();
  }
}
