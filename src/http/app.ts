import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { createRequestAuthenticator } from '../auth/request-authenticator.js';
import type { Config } from '../config/config.js';
import type { ApiServices } from './api-services.js';
import { lazyChildLoggerFactory } from './lazy-child-logger.js';
import { loggerOptions } from './logger-options.js';
import { createAuthGuards } from './plugins/auth-plugin.js';
import { installOriginChecks } from './plugins/csrf-plugin.js';
import { answerFrameworkError, installErrorHandling } from './plugins/errors-plugin.js';
import { installHostCheck } from './plugins/host-check-plugin.js';
import { installRequestHygiene } from './plugins/hygiene-plugin.js';
import { installLifecycle } from './plugins/lifecycle-plugin.js';
import { installMetrics } from './plugins/metrics-plugin.js';
import { installOpenApi } from './plugins/openapi-plugin.js';
import { installSecurityHeaders } from './plugins/security-headers-plugin.js';
import { installWebApp } from './plugins/web-app-plugin.js';
import type { Api, RouteContext } from './route-context.js';
import { registerAccountRoutes } from './routes/account-routes.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import { registerAdminUserRoutes } from './routes/admin-user-routes.js';
import { registerAuditRoutes } from './routes/audit-routes.js';
import { registerAuthRoutes } from './routes/auth-routes.js';
import { registerDbscRoutes } from './routes/dbsc-routes.js';
import { registerDemoRoutes } from './routes/demo-routes.js';
import { registerDownloadRoutes } from './routes/download-routes.js';
import { registerEmailRoutes } from './routes/email-routes.js';
import { registerEventRoutes } from './routes/event-routes.js';
import { registerForwardAuthRoutes } from './routes/forward-auth-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerJwksRoutes } from './routes/jwks-routes.js';
import { registerOidcRoutes } from './routes/oidc-routes.js';
import { registerOpenApiRoutes } from './routes/openapi-routes.js';
import { registerPasskeyRoutes } from './routes/passkey-routes.js';
import { registerPasswordResetRoutes } from './routes/password-reset-routes.js';
import { registerProductRoutes } from './routes/product-routes.js';
import { registerReadinessRoutes } from './routes/readiness-routes.js';
import { registerReauthenticateRoutes } from './routes/reauthenticate-routes.js';
import { registerReturnToRoutes } from './routes/return-to-routes.js';
import { registerSecondFactorRoutes } from './routes/second-factor-routes.js';
import { registerSessionRoutes } from './routes/session-routes.js';
import { registerTokenRoutes } from './routes/token-routes.js';
import { registerTotpRoutes } from './routes/totp-routes.js';

/** API.md: request bodies are at most 16 KiB. */
export const BODY_LIMIT = 16 * 1024;

export interface BuildAppOptions {
  /** A ready pino logger (main.ts), `false` for none (tests), or default options from config.logLevel. */
  logger?: FastifyBaseLogger | false;
}

/** Builds the HTTP app over ready services; does not listen (tests drive it with inject()). */
export async function buildApp(
  services: ApiServices,
  config: Config,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger === undefined
      ? { logger: loggerOptions(config.logLevel) }
      : options.logger === false
        ? { logger: false }
        : { loggerInstance: options.logger }),
    // Two log lines per request cost more CPU than the whole authenticated read (docs/benchmarks.md): opt-in.
    logController: new LogController({ disableRequestLogging: !config.logRequests }),
    bodyLimit: BODY_LIMIT,
    trustProxy: config.trustProxy as boolean,
    genReqId: () => randomUUID(),
    // The request's child logger (request id bound) is made on its first log line, not for every request.
    childLoggerFactory: lazyChildLoggerFactory,
    routerOptions: { maxParamLength: 256 },
    // Graceful shutdown answers every request that reaches a connection it accepted (server.ts), rather than 503.
    return503OnClosing: false,
    // An undecodable URL or an over-long path parameter: the API's error body, not Fastify's.
    frameworkErrors: answerFrameworkError,
  }).withTypeProvider() as unknown as Api;
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  // JSON is the only body type; Fastify then answers anything else with 415.
  app.removeContentTypeParser(['text/plain']);

  installErrorHandling(app);
  // Before any route: it collects the routes' schemas as they register.
  await installOpenApi(app, config);
  installMetrics(app, services.metrics, config);
  const lifecycle = installLifecycle(app);
  await app.register(cookie);
  installSecurityHeaders(app);
  installRequestHygiene(app);
  installHostCheck(app, config);
  const corsOrigins = new Set(config.origins);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && corsOrigins.has(origin)),
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['content-type', 'x-csrf-token', 'authorization'],
    // content-disposition: an SPA on another origin names downloaded files as the server does.
    exposedHeaders: ['retry-after', 'content-disposition'],
    maxAge: 600,
  });
  const authenticator = createRequestAuthenticator(services, config);
  installOriginChecks(app, authenticator);

  const guards = createAuthGuards(app, authenticator, config);
  const context: RouteContext = { services, config, guards, authenticator };
  await app.register(
    async (api) => {
      // `Cache-Control: no-store` comes with the API's security headers (installSecurityHeaders).
      const typed = api as unknown as Api;
      registerAuthRoutes(typed, context);
      registerReturnToRoutes(typed, context);
      registerSessionRoutes(typed, context);
      registerAdminRoutes(typed, context);
      registerEmailRoutes(typed, context);
      registerPasswordResetRoutes(typed, context);
      registerAccountRoutes(typed, context);
      registerAdminUserRoutes(typed, context);
      registerDemoRoutes(typed, context);
      registerHealthRoutes(typed, context);
      registerOidcRoutes(typed, context);
      registerAuditRoutes(typed, context);
      registerEventRoutes(typed, context);
      registerTokenRoutes(typed, context);
      // The demo shop can be switched off (PRODUCTS=off): then none of its routes exist (404).
      if (config.downloads.enabled) registerProductRoutes(typed, context);
      registerTotpRoutes(typed, context);
      registerPasskeyRoutes(typed, context);
      registerSecondFactorRoutes(typed, context);
      registerReauthenticateRoutes(typed, context);
      registerDbscRoutes(typed, context);
      registerOpenApiRoutes(typed, context);
      registerReadinessRoutes(typed, context, lifecycle);
    },
    { prefix: '/api' },
  );
  registerJwksRoutes(app as unknown as Api, context);
  if (config.downloads.enabled) registerDownloadRoutes(app as unknown as Api, context);
  registerForwardAuthRoutes(app as unknown as Api, context);
  if (config.serveWebApp) await installWebApp(app);
  return app;
}
