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

/** A request that passed a guard: `request.heimdall` is the signed-in user and session, never null. */
export type SignedInRequest<Req extends FastifyRequest = FastifyRequest> = Req & { heimdall: HeimdallContext };

/** A route handler behind a guard, typed with the route's own request and reply (inferred from the route). */
export type SignedInHandler<Req extends FastifyRequest, Rep extends FastifyReply, Result> = (
  this: FastifyInstance,
  request: SignedInRequest<Req>,
  reply: Rep,
) => Result;

/** `fastify.heimdall`: guards for routes (`preHandler` or `onRequest`), and the embedded stores. */
export interface HeimdallGuards {
  /** 401 without a live session; 403 `csrf_failed` for an unsafe request failing the CSRF rules. */
  requireSession(): HeimdallHook;
  /**
   * The guard and the handler in one: the handler runs only for a signed-in request, and its `request.heimdall` is
   * typed non-null (`request.heimdall.user.email` compiles under `strict`).
   */
  requireSession<Req extends FastifyRequest, Rep extends FastifyReply, Result>(
    handler: SignedInHandler<Req, Rep, Result>,
  ): (this: FastifyInstance, request: Req, reply: Rep) => Promise<Awaited<Result> | Rep>;
  /** As requireSession, then 403 `forbidden` unless the user holds the role, read from the database this request. */
  requireRole(role: string): HeimdallHook;
  /** As requireSession(handler), for holders of the role. */
  requireRole<Req extends FastifyRequest, Rep extends FastifyReply, Result>(
    role: string,
    handler: SignedInHandler<Req, Rep, Result>,
  ): (this: FastifyInstance, request: Req, reply: Rep) => Promise<Awaited<Result> | Rep>;
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

  type AnyHandler = SignedInHandler<FastifyRequest, FastifyReply, unknown>;
  /** The guard, then the handler; a refused request is answered by the guard and never reaches the handler. */
  const guarded = (role: string | undefined, handler: AnyHandler) =>
    async function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      await guard(role)(request, reply);
      if (reply.sent) return reply;
      return handler.call(this, request as SignedInRequest, reply);
    };
  const requireSession = (handler?: AnyHandler) => (handler ? guarded(undefined, handler) : guard());
  const requireRole = (role: string, handler?: AnyHandler) => (handler ? guarded(role, handler) : guard(role));

  fastify.decorate('heimdall', {
    requireSession: requireSession as HeimdallGuards['requireSession'],
    requireRole: requireRole as HeimdallGuards['requireRole'],
    embedded,
  } satisfies HeimdallGuards);
};

/**
 * Fastify plugin that validates the Heimdall session cookie or Bearer token against Heimdall's own stores, with
 * Heimdall's CSRF rules, and puts `{ user, session, scheme, csrfToken }` on `request.heimdall`.
 *
 *     await app.register(heimdall, { databaseUrl, secret }); // or DATABASE_URL, HEIMDALL_SECRET… from process.env
 *     app.get('/valhalla', app.heimdall.requireRole('god', async (request) => request.heimdall.user.email));
 */
export const heimdall = fastifyPlugin(plugin, { name: 'heimdall', fastify: '5.x' });
export default heimdall;
