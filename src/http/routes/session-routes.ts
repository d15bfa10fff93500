import { Type } from 'typebox';
import { hasBearerHeader } from '../../auth/request-facts.js';
import { HeimdallError } from '../../core/errors.js';
import type { Session } from '../../core/session.js';
import { clearSessionCookie } from '../cookies.js';
import { clientInfo } from '../plugins/auth-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { IdParam, ListedSessionView, SessionEnvelope, toSessionView, toUserView, Warning } from '../schemas.js';
import { IdentityView, identityView } from './oidc-routes.js';

export function toListedSessions(sessions: Session[], currentId: string | null) {
  return sessions.map((s) => ({ ...toSessionView(s), current: s.id === currentId }));
}

/** What this deployment offers, so that a web app shows only that (`products`: PRODUCTS, the demo shop). */
export const Features = Type.Object({ products: Type.Boolean() });

/** Who am I, and my sessions (API.md, "Account and session"). */
export function registerSessionRoutes(api: Api, { services, config, guards }: RouteContext): void {
  api.get(
    '/session',
    {
      preHandler: guards.requireSession,
      schema: {
        response: {
          200: Type.Intersect([SessionEnvelope, Type.Object({ warnings: Type.Array(Warning), features: Features })]),
        },
      },
    },
    async (request) => {
      const { user, session } = request.auth!;
      const warnings = await services.anomalies.warningsFor(user.id);
      // With Bearer the session is the token family, and there is no CSRF token to use (API.md).
      const csrfToken = hasBearerHeader(request.headers) ? null : session.csrfToken;
      const features = { products: config.downloads.enabled };
      return { user: toUserView(user), session: toSessionView(session), csrfToken, warnings, features };
    },
  );

  api.get(
    '/sessions',
    {
      preHandler: guards.requireSession,
      schema: {
        response: {
          200: Type.Object({ sessions: Type.Array(ListedSessionView), identities: Type.Array(IdentityView) }),
        },
      },
    },
    async (request) => {
      const { user, session } = request.auth!;
      // Linked identities are ways in too (issue 15): listed beside the sessions, removable there.
      const [sessions, identities] = await Promise.all([
        services.sessions.list(user.id),
        services.signOn.listIdentities(user.id),
      ]);
      return {
        sessions: toListedSessions(sessions, session.id),
        identities: identities.map((identity) => identityView(identity, (name) => services.signOn.labelOf(name))),
      };
    },
  );

  api.delete(
    '/sessions/:id',
    {
      config: { errorCodes: ['not_found'] },
      preHandler: guards.requireSession,
      schema: { params: IdParam, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const { user, session: current } = request.auth!;
      const target = await services.sessions.findById(request.params.id);
      // Another user's session id is answered exactly like one that does not exist: no probing by id.
      if (!target || target.userId !== user.id) throw new HeimdallError('not_found', 'No such session.');
      await services.sessions.revoke(target, { by: 'user', actorId: user.id, client: clientInfo(request) });
      if (target.id === current.id) clearSessionCookie(reply, config);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/sessions/revoke-others',
    { preHandler: guards.requireSession, schema: { response: { 200: Type.Object({ revoked: Type.Integer() }) } } },
    async (request) => ({ revoked: await services.sessions.revokeOthers(request.auth!.session, clientInfo(request)) }),
  );
}
