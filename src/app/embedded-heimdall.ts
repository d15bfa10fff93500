import { createRequestAuthenticator, type RequestAuthenticator } from '../auth/request-authenticator.js';
import type { Config } from '../config/config.js';
import { buildServices, type Services } from './build-services.js';
import type { MaintenanceLog } from './build-token-services.js';
import { pendingMigrationsOf, resolveConfig } from './open-heimdall.js';

export interface HeimdallOptions {
  /**
   * Where Heimdall's settings are read from (default `process.env`): the same variables as the Heimdall server —
   * DATABASE_URL (and REDIS_URL / REDIS_CLUSTER_NODES), HEIMDALL_SECRET, HEIMDALL_COOKIE_NAME, HEIMDALL_ORIGINS…
   */
  env?: Record<string, string | undefined>;
  /** Services and config built elsewhere (Heimdall's own process, tests); the caller keeps closing them. */
  services?: Services;
  config?: Config;
  /** Where background upkeep (signing keys, revoked token families) reports; silent by default. */
  logger?: MaintenanceLog;
}

/** Heimdall's stores and the shared request authenticator, opened inside another app's process. */
export interface EmbeddedHeimdall {
  services: Services;
  config: Config;
  authenticator: RequestAuthenticator;
  close(): Promise<void>;
}

const SILENT: MaintenanceLog = { info() {}, warn() {} };

/** Checked before anything reads the tables, so an old schema is named as such rather than as a missing table. */
async function assertSchemaCurrent(databaseUrl: string): Promise<void> {
  const pending = await pendingMigrationsOf(databaseUrl);
  if (pending.length > 0) {
    throw new Error(
      `Heimdall's database schema is not current (pending: ${pending.join(', ')}): run \`heimdall migrate\` or start Heimdall first.`,
    );
  }
}

/**
 * Opens the stores a Heimdall server uses, through the same composition root, without migrating them: the schema
 * belongs to Heimdall (`heimdall migrate`, or its start-up), and an app that embeds an older copy must not change it.
 */
export async function openEmbeddedHeimdall(options: HeimdallOptions = {}): Promise<EmbeddedHeimdall> {
  if (options.services && options.config) {
    const { services, config } = options;
    return { services, config, authenticator: createRequestAuthenticator(services, config), close: async () => {} };
  }
  const { config } = resolveConfig(options.env ?? process.env);
  await assertSchemaCurrent(config.databaseUrl);
  const services = await buildServices(config, { migrate: false });
  // Bearer checks need the other instances' family revocations and key rotations, as in the server.
  services.startTokenMaintenance(options.logger ?? SILENT);
  return {
    services,
    config,
    authenticator: createRequestAuthenticator(services, config),
    close: () => services.close(),
  };
}
