import { Type } from 'typebox';
import { HeimdallError, LAST_ACTIVE_ADMIN_OVERRIDE, lastActiveAdminError } from '../../core/errors.js';
import { ADMIN_ROLE } from '../../core/user-service.js';
import { clientInfo } from '../plugins/auth-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { IdParam, ListedSessionView, Role, toUserView, UserView } from '../schemas.js';
import { toListedSessions } from './session-routes.js';

const UsersQuery = Type.Object(
  {
    query: Type.Optional(Type.String({ maxLength: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
const RolesBody = Type.Object(
  { roles: Type.Array(Role, { maxItems: 32, uniqueItems: true }) },
  { additionalProperties: false },
);
const Revoked = Type.Object({ revoked: Type.Integer() });

/** Administration (API.md, "Administration"): every route needs role `admin`, read fresh from the database. */
export function registerAdminRoutes(api: Api, { services, guards }: RouteContext): void {
  const adminOnly = guards.requireRole(ADMIN_ROLE);

  const requireUser = async (id: string) => {
    const user = await services.users.findById(id);
    if (!user) throw new HeimdallError('not_found', 'No such user.');
    return user;
  };

  api.get(
    '/admin/users',
    {
      preHandler: adminOnly,
      schema: {
        querystring: UsersQuery,
        response: {
          200: Type.Object({ users: Type.Array(UserView), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
        },
      },
    },
    async (request) => {
      const { query, cursor, limit } = request.query;
      const page = await services.users.list({ query: query?.trim() || undefined, cursor, limit: limit ?? 50 });
      return { users: page.users.map(toUserView), nextCursor: page.nextCursor };
    },
  );

  api.put(
    '/admin/users/:id/roles',
    {
      config: { errorCodes: ['not_found', LAST_ACTIVE_ADMIN_OVERRIDE] },
      // A role change is sensitive (API.md, "Fresh authentication"): a recent proof, never a Bearer token.
      preHandler: [...adminOnly, guards.requireRecentAuth],
      schema: { params: IdParam, body: RolesBody, response: { 200: Type.Object({ user: UserView }) } },
    },
    async (request) => {
      const result = await services.users.setRoles(request.params.id, request.body.roles, {
        actorId: request.auth!.user.id,
        client: clientInfo(request),
      });
      if (!result.ok && result.code === 'not_found') throw new HeimdallError('not_found', 'No such user.');
      if (!result.ok) throw lastActiveAdminError();
      return { user: toUserView(result.user) };
    },
  );

  api.get(
    '/admin/users/:id/sessions',
    {
      config: { errorCodes: ['not_found'] },
      preHandler: adminOnly,
      schema: { params: IdParam, response: { 200: Type.Object({ sessions: Type.Array(ListedSessionView) }) } },
    },
    async (request) => {
      const user = await requireUser(request.params.id);
      return { sessions: toListedSessions(await services.sessions.list(user.id), request.auth!.session.id) };
    },
  );

  api.delete(
    '/admin/users/:id/sessions',
    {
      config: { errorCodes: ['not_found'] },
      preHandler: adminOnly,
      schema: { params: IdParam, response: { 200: Revoked } },
    },
    async (request) => {
      const user = await requireUser(request.params.id);
      const revocation = { by: 'admin' as const, actorId: request.auth!.user.id, client: clientInfo(request) };
      return { revoked: (await services.sessions.revokeAll(user.id, revocation)).revoked };
    },
  );

  api.delete(
    '/admin/sessions/:id',
    {
      config: { errorCodes: ['not_found'] },
      preHandler: adminOnly,
      schema: { params: IdParam, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const target = await services.sessions.findById(request.params.id);
      if (!target) throw new HeimdallError('not_found', 'No such session.');
      await services.sessions.revoke(target, {
        by: 'admin',
        actorId: request.auth!.user.id,
        client: clientInfo(request),
      });
      return reply.code(204).send(null);
    },
  );
}
