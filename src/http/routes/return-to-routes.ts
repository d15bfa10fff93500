import { Type } from 'typebox';
import { checkReturnTo } from '../../core/return-to.js';
import type { Api, RouteContext } from '../route-context.js';

/** A repeated or odd value is refused (null), not a 400: the SPA passes on whatever its address held. */
const ReturnToQuery = Type.Object({
  returnTo: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
});

/**
 * Hosted sign-in (issue 20): another app on an allowed origin sends its users to `/signin?returnTo=<its URL>`, and the
 * SPA asks here, before and after signing in, where it may send the browser back. The server's one rule
 * (checkReturnTo, shared with third-party sign-on) decides; the SPA follows only what this answers.
 */
export function registerReturnToRoutes(api: Api, { config }: RouteContext): void {
  const policy = { publicOrigin: config.publicUrl, allowedOrigins: config.origins };
  api.get(
    '/auth/return-to',
    {
      schema: {
        querystring: ReturnToQuery,
        response: { 200: Type.Object({ returnTo: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => ({ returnTo: checkReturnTo(request.query.returnTo, policy) }),
  );
}
