import { createRequestAuthenticator, type RequestAuthenticator } from '../auth/request-authenticator.js';
import type { Config } from '../config/config.js';
import { buildServices, type Services } from './build-services.js';
import type { MaintenanceLog } from './build-token-services.js';
import { adoptDeployment, type Joining } from './deployment-record.js';
import { type HeimdallSettings, relabel, settleEnv } from './embedding-settings.js';
import { joinDeployment } from './join-deployment.js';

export type { HeimdallSettings } from './embedding-settings.js';

export interface HeimdallOptions extends HeimdallSettings {
  /**
   * Where Heimdall's settings are read from (default `process.env`): the same variables as the Heimdall server —
   * DATABASE_URL (and REDIS_URL / REDIS_CLUSTER_NODES), HEIMDALL_SECRET… Options given beside it win.
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

/** Configuration warnings reach the app's logger, or Node's warning channel (stderr) when it gave none. */
function warn(logger: MaintenanceLog | undefined, message: string): void {
  if (logger) logger.warn({}, `heimdall-auth: ${message}`);
  else process.emitWarning(message, { type: 'HeimdallWarning', code: 'HEIMDALL_UNKNOWN_VARIABLE' });
}

/** Every start-up failure names the package, so that it stands out among the host app's own messages. */
function named(error: unknown): unknown {
  if (error instanceof Error && !error.message.startsWith('heimdall-auth:')) {
    error.message = `heimdall-auth: ${error.message}`;
  }
  return error;
}

/**
 * Opens the stores a Heimdall server uses, through the same composition root, without migrating them or creating
 * anything: the database, its schema and the secret belong to the Heimdall server. The cookie name, token issuer
 * and allowed origins are completed from what the server recorded (adoptDeployment), so its cookies and tokens work
 * here; a setting that contradicts the server's stops the start with both named.
 */
export async function openEmbeddedHeimdall(options: HeimdallOptions = {}): Promise<EmbeddedHeimdall> {
  if (options.services && options.config) {
    const { services, config } = options;
    return { services, config, authenticator: createRequestAuthenticator(services, config), close: async () => {} };
  }
  const settled = settleEnv(options.env ?? process.env, options);
  let config: Config;
  let joining: Joining | undefined;
  try {
    const joined = await joinDeployment(settled.env, 'embedded', {
      label: settled.label,
      warn: (warning) => warn(options.logger, warning),
    });
    config = adoptDeployment(joined.config, joined.database.deployment, settled);
    const record = joined.database.deployment;
    joining = record ? { record, who: 'this app' } : undefined;
  } catch (error) {
    throw named(relabel(error, settled));
  }
  const services = await buildServices(config, { migrate: false, createDatabase: false, joining }).catch(
    (error: unknown) => {
      throw named(error);
    },
  );
  // Bearer checks need the other instances' family revocations and key rotations, as in the server.
  services.startTokenMaintenance(options.logger ?? SILENT);
  return {
    services,
    config,
    authenticator: createRequestAuthenticator(services, config),
    close: () => services.close(),
  };
}
