import { Type } from 'typebox';
import type { LifecycleResult } from '../../core/account-lifecycle-service.js';
import { HeimdallError, LAST_ACTIVE_ADMIN_OVERRIDE, lastActiveAdminError } from '../../core/errors.js';
import { ADMIN_ROLE } from '../../core/user-service.js';
import { clientInfo } from '../plugins/auth-plugin.js';
import { failureError } from '../plugins/errors-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { Email, IdParam, Role, toUserView, UserView } from '../schemas.js';

const InviteBody = Type.Object(
  {
    email: Email,
    name: Type.Optional(Type.String({ maxLength: 100 })),
    roles: Type.Optional(Type.Array(Role, { maxItems: 32, uniqueItems: true })),
  },
  { additionalProperties: false },
);
const UserAnswer = Type.Object({ user: UserView });

/** What a refused lifecycle change answers: 404 for no such user, 409 for the last active admin. */
export function lifecycleError(result: Extract<LifecycleResult, { ok: false }>): HeimdallError {
  return result.code === 'last_admin' ? lastActiveAdminError() : new HeimdallError('not_found', 'No such user.');
}

/**
 * Accounts as administrators manage them (API.md, "Accounts"): invitations, disabling, enabling and deleting. Each
 * needs role `admin`; disabling and deleting are sensitive (a recent proof, never a Bearer token).
 */
export function registerAdminUserRoutes(api: Api, { services, guards }: RouteContext): void {
  const adminOnly = guards.requireRole(ADMIN_ROLE);
  const sensitive = [...adminOnly, guards.requireRecentAuth];
  const actorOf = (request: Parameters<typeof clientInfo>[0]) => ({
    actorId: request.auth!.user.id,
    client: clientInfo(request),
  });

  api.post(
    '/admin/users',
    {
      config: { errorCodes: ['email_taken', 'reauthentication_required'] },
      preHandler: adminOnly,
      schema: { body: InviteBody, response: { 201: UserAnswer } },
    },
    async (request, reply) => {
      // Granting a role beyond `user` is a role change: it asks for the same recent proof as PUT …/roles.
      if (request.body.roles?.some((role) => role !== 'user')) await guards.requireRecentAuth(request, reply);
      const result = await services.accountLifecycle.invite(actorOf(request), request.body);
      if (!result.ok) throw failureError(result);
      return reply.code(201).send({ user: toUserView(result.user) });
    },
  );

  const lifecycle = (path: string, change: 'disable' | 'enable') =>
    api.post(
      path,
      {
        config: { errorCodes: ['not_found', LAST_ACTIVE_ADMIN_OVERRIDE] },
        preHandler: change === 'disable' ? sensitive : adminOnly,
        schema: { params: IdParam, response: { 200: UserAnswer } },
      },
      async (request) => {
        const result = await services.accountLifecycle[change](actorOf(request), request.params.id);
        if (!result.ok) throw lifecycleError(result);
        return { user: toUserView(result.user) };
      },
    );
  lifecycle('/admin/users/:id/disable', 'disable');
  lifecycle('/admin/users/:id/enable', 'enable');

  api.delete(
    '/admin/users/:id',
    {
      config: { errorCodes: ['not_found', LAST_ACTIVE_ADMIN_OVERRIDE] },
      preHandler: sensitive,
      schema: { params: IdParam, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const result = await services.accountLifecycle.delete({ by: 'admin', ...actorOf(request) }, request.params.id);
      if (!result.ok) throw lifecycleError(result);
      return reply.code(204).send(null);
    },
  );
}
