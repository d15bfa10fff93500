import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.js';
import { errorCodesOf, errorResponses } from '../openapi-errors.js';
import { ANY_HOST_ROUTES } from './host-check-plugin.js';

const PACKAGE = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  description: string;
};

/**
 * OpenAPI 3.1 generated from the routes' own TypeBox schemas (@fastify/swagger collects them as routes register,
 * so this must be installed before any route). Error responses are added to the document only — never to the
 * routes' serializers — from each route's method, schema, guards and declared errorCodes.
 */
export async function installOpenApi(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Heimdall', version: PACKAGE.version, description: PACKAGE.description },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: config.cookieName },
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const methods = [route.method].flat();
      const codes = methods.flatMap((method) => errorCodesOf(method, route));
      // The host check runs before every route but the probes (DNS-rebinding defence).
      if (!ANY_HOST_ROUTES.has(url)) codes.push('misdirected_request');
      const own = ((schema as { response?: Record<string, unknown> } | undefined)?.response ?? {}) as Record<
        string,
        unknown
      >;
      const errors = errorResponses(codes);
      // A status the route documents itself (the health checks' 503) keeps its own schema.
      const response = { ...errors, ...own };
      const guarded = codes.includes('unauthenticated');
      return {
        schema: {
          ...schema,
          response,
          ...(guarded ? { security: [{ session: [] }, { bearer: [] }] } : {}),
        } as typeof schema,
        url,
      };
    },
  });
}

/** The generated document (after `ready()`). */
export function openApiDocument(app: FastifyInstance): Record<string, unknown> {
  return app.swagger() as unknown as Record<string, unknown>;
}
