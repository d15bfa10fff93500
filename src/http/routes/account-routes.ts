import { Type } from 'typebox';
import { LAST_ACTIVE_ADMIN_OVERRIDE } from '../../core/errors.js';
import { clearSessionCookie } from '../cookies.js';
import { clientInfo } from '../plugins/auth-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { lifecycleError } from './admin-user-routes.js';

/** The account itself (API.md, "Accounts"): its owner deletes it. */
export function registerAccountRoutes(api: Api, { services, config, guards }: RouteContext): void {
  api.delete(
    '/account',
    {
      config: { errorCodes: [LAST_ACTIVE_ADMIN_OVERRIDE] },
      preHandler: guards.requireRecentAuth,
      schema: { response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const { user } = request.auth!;
      const result = await services.accountLifecycle.delete(
        { by: 'user', actorId: user.id, client: clientInfo(request) },
        user.id,
      );
      if (!result.ok) throw lifecycleError(result);
      clearSessionCookie(reply, config);
      return reply.code(204).send(null);
    },
  );
}
