import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import type { Api, RouteContext } from '../route-context.js';

const Jwks = Type.Object({
  keys: Type.Array(Type.Record(Type.String(), Type.String())),
});

/**
 * Consumers may cache this for five minutes: a key that starts signing is also published at once, and jose's
 * remote key sets (like most) refetch when they meet an unknown kid.
 */
const JWKS_CACHE_CONTROL = 'public, max-age=300, must-revalidate';

/** GET /.well-known/jwks.json: the public keys of every key that verifies (active and verify-only). */
export function registerJwksRoutes(api: Api, { services }: RouteContext): void {
  api.get(
    '/.well-known/jwks.json',
    { schema: { response: { 200: Jwks, 304: Type.Null() } } },
    async (request, reply) => {
      const body = { keys: services.keys.publicJwks() };
      const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
      reply.header('cache-control', JWKS_CACHE_CONTROL).header('etag', etag).type('application/json; charset=utf-8');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      return body;
    },
  );
}
