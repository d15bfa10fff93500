import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Services } from '../services.js';
import { loggerOptions } from './logger-options.js';
import { createAuthGuards } from './plugins/auth-plugin.js';
import { installOriginChecks } from './plugins/csrf-plugin.js';
import { installErrorHandling } from './plugins/errors-plugin.js';
import { installRequestHygiene } from './plugins/hygiene-plugin.js';
import type { Api, RouteContext } from './route-context.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import { registerAuditRoutes } from './routes/audit-routes.js';
import { registerAuthRoutes } from './routes/auth-routes.js';
import { registerDemoRoutes } from './routes/demo-routes.js';
import { registerDownloadRoutes } from './routes/download-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerJwksRoutes } from './routes/jwks-routes.js';
import { registerOidcRoutes } from './routes/oidc-routes.js';
import { registerProductRoutes } from './routes/product-routes.js';
import { registerSessionRoutes } from './routes/session-routes.js';
import { registerTokenRoutes } from './routes/token-routes.js';

/** API.md: request bodies are at most 16 KiB. */
export const BODY_LIMIT = 16 * 1024;

export interface BuildAppOptions {
  /** A ready pino logger (main.ts), `false` for none (tests), or default options from config.logLevel. */
  logger?: FastifyBaseLogger | false;
}

/** Builds the HTTP app over ready services; does not listen (tests drive it with inject()). */
export async function buildApp(
  services: Services,
  config: Config,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger === undefined
      ? { logger: loggerOptions(config.logLevel) }
      : options.logger === false
        ? { logger: false }
        : { loggerInstance: options.logger }),
    bodyLimit: BODY_LIMIT,
    trustProxy: config.trustProxy as boolean,
    genReqId: () => randomUUID(),
    routerOptions: { maxParamLength: 256 },
  }).withTypeProvider() as unknown as Api;
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  // JSON is the only body type; Fastify then answers anything else with 415.
  app.removeContentTypeParser(['text/plain']);

  installErrorHandling(app);
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    // HSTS is only meaningful, and only sent, over HTTPS (hook below).
    hsts: false,
  });
  installRequestHygiene(app);
  app.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
  });
  const corsOrigins = new Set(config.origins);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && corsOrigins.has(origin)),
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['content-type', 'x-csrf-token', 'authorization'],
    exposedHeaders: ['retry-after'],
    maxAge: 600,
  });
  installOriginChecks(app, config);

  const guards = createAuthGuards(app, services, config);
  const context: RouteContext = { services, config, guards };
  await app.register(
    async (api) => {
      api.addHook('onRequest', async (_request, reply) => {
        reply.header('cache-control', 'no-store');
      });
      const typed = api as unknown as Api;
      registerAuthRoutes(typed, context);
      registerSessionRoutes(typed, context);
      registerAdminRoutes(typed, context);
      registerDemoRoutes(typed, context);
      registerHealthRoutes(typed, context);
      registerOidcRoutes(typed, context);
      registerAuditRoutes(typed, context);
      registerTokenRoutes(typed, context);
      registerProductRoutes(typed, context);
    },
    { prefix: '/api' },
  );
  registerJwksRoutes(app as unknown as Api, context);
  registerDownloadRoutes(app as unknown as Api, context);
  return app;
}
