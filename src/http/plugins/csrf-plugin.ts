import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestAuthenticator } from '../../auth/request-authenticator.js';
import { isUnsafeMethod, type RequestFacts } from '../../auth/request-facts.js';

/** Heimdall's own origin as the client sees it (through TRUST_PROXY when behind a proxy). */
export function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`.toLowerCase();
}

/**
 * What identifying the request's credential reads: its headers and address. The own origin (two getters and a
 * string) is for the CSRF rules, so a guard that only identifies does not build it.
 */
export function credentialFacts(request: FastifyRequest): Pick<RequestFacts, 'headers' | 'ip'> {
  return { headers: request.headers, ip: request.ip };
}

/** A Fastify request as the framework-neutral authenticator sees it; `method` may name a proxied request's. */
export function requestFacts(request: FastifyRequest, method: string = request.method): RequestFacts {
  return { method, headers: request.headers, ip: request.ip, ownOrigin: ownOrigin(request) };
}

/**
 * First line of CSRF defence, for every unsafe request before any body is read: the Origin, when the browser sends
 * one, must be ours or in HEIMDALL_ORIGINS (`null` never is), and Fetch Metadata must not say cross-site. The rule
 * itself lives in RequestAuthenticator.checkOrigin, shared with forward auth and the embedding adapters.
 */
export function installOriginChecks(app: FastifyInstance, authenticator: RequestAuthenticator): void {
  // A callback hook, not an async one, and nothing to do for a safe method: reads pay nothing here.
  app.addHook('onRequest', (request, _reply, done) => {
    if (!isUnsafeMethod(request.method)) return done();
    const refusal = authenticator.checkOrigin(requestFacts(request));
    if (refusal) return done(refusal);
    done();
  });
}
