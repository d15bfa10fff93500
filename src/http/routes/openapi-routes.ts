import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { openApiDocument } from '../plugins/openapi-plugin.js';
import type { Api, RouteContext } from '../route-context.js';

/** GET /api/openapi.json: the OpenAPI 3.1 description of every route, generated from their schemas. */
export function registerOpenApiRoutes(api: Api, _context: RouteContext): void {
  let document: string | undefined;
  api.get(
    '/openapi.json',
    { schema: { response: { 200: Type.Unsafe<string>({ type: 'object', description: 'An OpenAPI 3.1 document' }) } } },
    async (_request, reply) => {
      // Built once: the routes do not change after start-up.
      document ??= JSON.stringify(openApiDocument(api as unknown as FastifyInstance));
      return reply.type('application/json; charset=utf-8').send(document);
    },
  );
}
