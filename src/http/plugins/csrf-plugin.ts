import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { HeimdallError } from '../../core/errors.js';
import type { Session } from '../../core/session.js';
import { safeEqual } from '../../core/tokens.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method);
}

/** Requests carrying a Bearer token are not cookie-authenticated: a cross-site page cannot make a browser add one. */
export function hasBearer(request: FastifyRequest): boolean {
  const header = request.headers.authorization;
  return typeof header === 'string' && /^bearer\s/i.test(header);
}

/** Heimdall's own origin as the client sees it (through TRUST_PROXY when behind a proxy). */
export function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`.toLowerCase();
}

/**
 * First line of CSRF defence, for every unsafe request before any body is read: the Origin, when the browser sends
 * one, must be ours or in HEIMDALL_ORIGINS (`null` never is), and Fetch Metadata must not say cross-site.
 */
export function installOriginChecks(app: FastifyInstance, config: Config): void {
  const allowed = new Set([...config.origins, config.publicUrl].map((o) => o.toLowerCase()));
  app.addHook('onRequest', async (request) => {
    if (!isUnsafeMethod(request.method) || hasBearer(request)) return;
    const origin = request.headers.origin;
    if (origin !== undefined) {
      const normalised = origin.toLowerCase();
      if (normalised === 'null' || (!allowed.has(normalised) && normalised !== ownOrigin(request))) {
        throw new HeimdallError('csrf_failed', 'This origin may not make changes here.');
      }
    }
    if (request.headers['sec-fetch-site'] === 'cross-site') {
      throw new HeimdallError('csrf_failed', 'Cross-site requests may not make changes here.');
    }
  });
}

/** Second line: the anti-CSRF token from GET /api/session must come back in `x-csrf-token` (constant-time compare). */
export function assertCsrfToken(request: FastifyRequest, session: Session): void {
  if (!isUnsafeMethod(request.method) || hasBearer(request)) return;
  const sent = request.headers['x-csrf-token'];
  if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) {
    throw new HeimdallError('csrf_failed', 'Missing or wrong x-csrf-token header; read it from GET /api/session.');
  }
}
