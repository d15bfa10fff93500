import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { type Config, loadConfig } from './config.js';
import { buildApp } from './http/app.js';
import { loggerOptions } from './http/logger-options.js';
import { resolveSecret } from './secret-file.js';
import { buildServices, type Services } from './services.js';

const PRUNE_INTERVAL_MS = 10 * 60_000;

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  config: Config;
  /** Stops accepting, lets in-flight requests finish, then closes the stores. */
  stop(): Promise<void>;
}

/** Loads config, opens stores, builds the app and listens. */
export async function startServer(env: Record<string, string | undefined> = process.env): Promise<RunningServer> {
  const loaded = loadConfig(env);
  const logger = pino(loggerOptions(loaded.logLevel) as object);
  const secret = resolveSecret(loaded.secret, loaded.dataDir);
  if (secret.createdAt) {
    logger.warn(
      `HEIMDALL_SECRET is not set: generated one and kept it in ${secret.createdAt}. Set HEIMDALL_SECRET in production.`,
    );
  }
  const config: Config = { ...loaded, secret: secret.secret };
  const services = await buildServices(config, {
    logger: { warn: (message) => logger.warn(message), info: (message) => logger.info(message) },
  });
  const app = await buildApp(services, config, { logger });
  services.audit.onError = (error) => logger.error({ err: error }, 'recording an audit event failed');
  const pruning = setInterval(() => {
    services.sessions
      .pruneExpired()
      .catch((error: unknown) => logger.warn({ err: error }, 'pruning expired sessions failed'));
    services.audit.prune().catch((error: unknown) => logger.warn({ err: error }, 'pruning the audit log failed'));
  }, PRUNE_INTERVAL_MS);
  pruning.unref();
  services.startTokenMaintenance(logger);

  try {
    await app.listen({
      port: config.port,
      host: config.host,
      listenTextResolver: (address) => `Heimdall listening on ${address} (${services.storesDescription})`,
    });
  } catch (error) {
    clearInterval(pruning);
    await services.close();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(pruning);
      await app.close();
      await services.close();
    })();
    return stopping;
  };
  return { app, services, config, stop };
}

/** Runs until SIGTERM/SIGINT, then shuts down gracefully. */
export async function runServer(): Promise<void> {
  let server: RunningServer;
  try {
    server = await startServer();
  } catch (error) {
    process.stderr.write(`heimdall: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    return;
  }
  const shutdown = (signal: string) => {
    server.app.log.info(`${signal} received: shutting down`);
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
