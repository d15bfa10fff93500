import type { FastifyInstance } from 'fastify';
import { HeimdallError } from '../../core/errors.js';

/** The only methods Heimdall answers; everything else (TRACE, CONNECT, WebDAV verbs…) is refused up front. */
export const ALLOWED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Request hygiene before any route runs: refuse methods we do not serve (TRACE would echo request headers, cookies
 * included, back to a script: cross-site tracing), and hand the request id back so a user's report can be matched
 * with the server's log line. The id is always ours (random UUID): a client-supplied one would let anyone forge
 * log correlations.
 */
export function installRequestHygiene(app: FastifyInstance): void {
  // A callback hook, not an async one: no promise per request on this path.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (ALLOWED_METHODS.has(request.method)) return done();
    done(new HeimdallError('not_found', `The ${request.method.slice(0, 16)} method is not supported.`));
  });
}
