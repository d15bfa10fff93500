import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Config } from '../config/config.js';
import { buildApp } from '../http/app.js';
import { loggerOptions } from '../http/logger-options.js';
import { buildServices, type Services } from './build-services.js';
import { describeError } from './describe-error.js';
import { resolveConfig } from './open-heimdall.js';

const PRUNE_INTERVAL_MS = 10 * 60_000;
/** How long a connection accepted just before the listener closed may take to send its request. */
const IDLE_GRACE_MS = 500;

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  config: Config;
  /** Stops accepting, lets in-flight requests finish, then closes the stores. */
  stop(): Promise<void>;
}

/** Loads config, opens stores, builds the app and listens. */
export async function startServer(env: Record<string, string | undefined> = process.env): Promise<RunningServer> {
  const { config, generatedSecretAt, warnings } = resolveConfig(env);
  const logger = pino(loggerOptions(config.logLevel) as object);
  for (const warning of warnings) logger.warn(warning);
  if (generatedSecretAt) {
    logger.warn(
      `HEIMDALL_SECRET is not set: generated one and kept it in ${generatedSecretAt}. Set HEIMDALL_SECRET in production.`,
    );
  }
  const services = await buildServices(config, {
    recordDeployment: true,
    reportError: (error) => logger.warn({ err: error }, 'live push: background work failed'),
    logger: { warn: (message) => logger.warn(message), info: (message) => logger.info(message) },
    reportAuditError: (error) => logger.error({ err: error }, 'recording an audit event failed'),
  });
  const app = await buildApp(services, config, { logger });
  const pruning = setInterval(() => {
    services.sessions
      .pruneExpired()
      .catch((error: unknown) => logger.warn({ err: error }, 'pruning expired sessions failed'));
    services.audit.prune().catch((error: unknown) => logger.warn({ err: error }, 'pruning the audit log failed'));
    services.emailVerification
      .pruneExpiredTokens()
      .catch((error: unknown) => logger.warn({ err: error }, 'pruning expired email links failed'));
  }, PRUNE_INTERVAL_MS);
  pruning.unref();
  services.startTokenMaintenance(logger);
  if (services.mailWarning) logger.warn(services.mailWarning);
  // The worker that sends queued mail runs in the server only: the CLI and embedding hosts queue, servers send.
  services.startMailDelivery(logger);

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
      // 1. Drain: readiness says 503 while everything is still served, so that load balancers stop sending work.
      //    Connections stay open: clients that reuse them are not pushed into reconnecting (a connection waiting in
      //    the listener's backlog when it closes is reset by the kernel).
      app.lifecycle.draining = true;
      await drain(app, config.shutdown.drainDelayMs);
      // 2. Stop accepting; answer what arrives on accepted connections (with `Connection: close`) and let in-flight
      //    requests finish; Fastify's preClose hooks end event streams with a reconnection hint. 3. Close the stores.
      clearInterval(pruning);
      deferIdleClosing(app.server, IDLE_GRACE_MS);
      await app.close();
      await services.close();
    })();
    return stopping;
  };
  return { app, services, config, stop };
}

/**
 * Node's http close() stops accepting and also destroys at once every connection without a request in progress —
 * including one a client opened a moment ago whose request is still on its way, which that client sees as a reset.
 * Such connections get a moment to deliver it (it is answered, with `Connection: close`); the silent ones are closed
 * after that, and again every second until the server has closed, so a stalled client cannot hold shutdown up.
 */
function deferIdleClosing(server: Server, graceMs: number): void {
  const closeIdle = server.closeIdleConnections.bind(server);
  server.closeIdleConnections = () => {
    const repeat = setInterval(closeIdle, 1_000);
    const first = setTimeout(closeIdle, graceMs);
    repeat.unref();
    first.unref();
    server.once('close', () => {
      clearTimeout(first);
      clearInterval(repeat);
    });
  };
}

/** Waits out the drain delay, or less once no client holds a connection any more. */
async function drain(app: FastifyInstance, delayMs: number): Promise<void> {
  const deadline = Date.now() + delayMs;
  while (Date.now() < deadline) {
    const open = await new Promise<number>((resolve) => app.server.getConnections((_e, n) => resolve(n ?? 0)));
    if (open === 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, deadline - Date.now())));
  }
}

/** Runs until SIGTERM/SIGINT, then shuts down gracefully. */
export async function runServer(): Promise<void> {
  let server: RunningServer;
  try {
    server = await startServer();
  } catch (error) {
    process.stderr.write(`heimdall: ${describeError(error)}\n`);
    process.exitCode = 1;
    return;
  }
  const shutdown = (signal: string) => {
    const { drainDelayMs, timeoutMs } = server.config.shutdown;
    server.app.log.info(`${signal} received: draining for up to ${drainDelayMs} ms, then shutting down`);
    // A request or store that never finishes must not keep a process that was told to stop.
    setTimeout(() => {
      server.app.log.error(`shutdown did not finish within ${timeoutMs} ms (SHUTDOWN_TIMEOUT): exiting`);
      process.exit(1);
    }, timeoutMs).unref();
    server.stop().then(
      () => {
        server.app.log.info('shutdown complete: in-flight requests answered, stores closed');
        process.exit(0);
      },
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
