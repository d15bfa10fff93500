import type { FastifyInstance } from 'fastify';
import { hostnameOf } from '../../config/env-reader.js';
import { HeimdallError } from '../../core/errors.js';

/** Loopback literals: a local instance is reached by these on any port (API.md, "Hosts, methods and limits"). */
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];
/** Load balancers and orchestrators probe by address, under whatever host name they use. */
export const ANY_HOST_ROUTES: ReadonlySet<string> = new Set(['/api/health', '/api/ready']);

export interface HostSettings {
  publicUrl: string;
  origins: string[];
  allowedHosts: string[];
}

/** The host names Heimdall answers for: its public URL's, its SPA origins', the listed ones and loopback. */
export function ownHostnames(settings: HostSettings): Set<string> {
  const fromUrls = [settings.publicUrl, ...settings.origins].map((origin) => new URL(origin).hostname.toLowerCase());
  return new Set([...fromUrls, ...settings.allowedHosts, ...LOOPBACK]);
}

/**
 * DNS-rebinding defence: a page on an attacker's site whose name resolves to Heimdall's address talks to Heimdall as
 * same-origin (its Origin matches its own Host), so every same-origin rule would let it in. The browser still sends
 * the attacker's name in `Host`, so a request for a host name that is not Heimdall's (as seen through TRUST_PROXY)
 * is answered 421 `misdirected_request` before anything else runs.
 */
export function installHostCheck(app: FastifyInstance, settings: HostSettings): void {
  const own = ownHostnames(settings);
  // A callback hook, not an async one: no promise per request on this path.
  app.addHook('onRequest', (request, _reply, done) => {
    const name = hostnameOf(request.host ?? '');
    if ((name !== null && own.has(name)) || ANY_HOST_ROUTES.has(request.routeOptions.url ?? '')) return done();
    done(new HeimdallError('misdirected_request'));
  });
}
