import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { type EmbeddedHeimdall, type HeimdallOptions, openEmbeddedHeimdall } from '../app/embedded-heimdall.js';
import {
  type Assessment,
  assess,
  clearedCookie,
  errorBody,
  type HeimdallContext,
  judge,
  toHeimdallContext,
} from '../auth/assessment.js';
import type { RequestFacts } from '../auth/request-facts.js';

export type { HeimdallOptions } from '../app/embedded-heimdall.js';
export type { HeimdallContext } from '../auth/assessment.js';

export type HeimdallHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** `fastify.heimdall`: guards for routes (`preHandler` or `onRequest`), and the embedded stores. */
export interface HeimdallGuards {
  /** 401 without a live session; 403 `csrf_failed` for an unsafe request failing the CSRF rules. */
  requireSession(): HeimdallHook;
  /** As requireSession, then 403 `forbidden` unless the user holds the role, read from the database this request. */
  requireRole(role: string): HeimdallHook;
  readonly embedded: EmbeddedHeimdall;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user and session (Heimdall's views), or null; set by the `heimdall-auth/fastify` plugin. */
    heimdall: HeimdallContext | null;
  }
  interface FastifyInstance {
    heimdall: HeimdallGuards;
  }
}

const ASSESSMENT = Symbol('heimdall.assessment');
type AssessedRequest = FastifyRequest & { [ASSESSMENT]?: Assessment };

function factsOf(request: FastifyRequest): RequestFacts {
  return {
    method: request.method,
    headers: request.headers,
    ip: request.ip,
    ownOrigin: `${request.protocol}://${request.host}`.toLowerCase(),
  };
}

const plugin: FastifyPluginAsync<HeimdallOptions> = async (fastify: FastifyInstance, options) => {
  const embedded = await openEmbeddedHeimdall(options);
  const { authenticator, config } = embedded;

  fastify.decorateRequest('heimdall', null);
  // Before any body is read, like Heimdall's own Origin checks; on an unsafe request failing the CSRF rules the
  // request simply has no user, so a route that forgets a guard still cannot be driven by a forged request.
  fastify.addHook('onRequest', async (request: AssessedRequest, reply) => {
    const assessment = await assess(authenticator, factsOf(request));
    request[ASSESSMENT] = assessment;
    const { verdict } = assessment;
    request.heimdall = verdict.ok ? toHeimdallContext(verdict) : null;
    if (!verdict.ok && verdict.staleCookie) reply.header('set-cookie', clearedCookie(config));
  });
  if (!options.services) fastify.addHook('onClose', async () => embedded.close());

  const guard =
    (role?: string): HeimdallHook =>
    async (request: AssessedRequest, reply) => {
      const assessment = request[ASSESSMENT] ?? (await assess(authenticator, factsOf(request)));
      const verdict = judge(authenticator, assessment, role);
      if (verdict.ok) return;
      if (verdict.challenge) reply.header('www-authenticate', verdict.challenge);
      return reply
        .code(verdict.error.status)
        .header('cache-control', 'no-store')
        .type('application/json; charset=utf-8')
        .send(errorBody(verdict));
    };

  fastify.decorate('heimdall', {
    requireSession: () => guard(),
    requireRole: (role: string) => guard(role),
    embedded,
  } satisfies HeimdallGuards);
};

/**
 * Fastify plugin that validates the Heimdall session cookie or Bearer token against Heimdall's own stores, with
 * Heimdall's CSRF rules, and puts `{ user, session, scheme, csrfToken }` on `request.heimdall`.
 *
 *     await app.register(heimdall);                // reads DATABASE_URL, HEIMDALL_SECRET… from process.env
 *     app.get('/valhalla', { preHandler: app.heimdall.requireRole('god') }, async (request) => request.heimdall);
 */
export const heimdall = fastifyPlugin(plugin, { name: 'heimdall', fastify: '5.x' });
export default heimdall;
