import { Type } from 'typebox';
import { clientInfo } from '../plugins/auth-plugin.js';
import { failureError } from '../plugins/errors-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { Accepted, Email, EmailToken, Password } from '../schemas.js';

const ForgotBody = Type.Object({ email: Email }, { additionalProperties: false });
const ResetBody = Type.Object({ token: EmailToken, password: Password }, { additionalProperties: false });

/** Forgotten passwords and set-password links, invitations included (API.md, "Email"). */
export function registerPasswordResetRoutes(api: Api, { services }: RouteContext): void {
  // 202 {} for every well-formed address, with or without an account: the work that depends on it happens after
  // the answer (PasswordResetService), so neither the answer nor its timing tells.
  api.post(
    '/auth/password/forgot',
    { config: { errorCodes: ['rate_limited'] }, schema: { body: ForgotBody, response: { 202: Accepted } } },
    async (request, reply) => {
      const result = await services.passwordResets.requestReset(request.body.email, clientInfo(request));
      if (!result.ok) throw failureError(result);
      return reply.code(202).send({});
    },
  );

  api.post(
    '/auth/password/reset',
    {
      config: { errorCodes: ['invalid_token', 'weak_password', 'account_disabled'] },
      schema: { body: ResetBody, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const { token, password } = request.body;
      const result = await services.passwordResets.reset(token, password, clientInfo(request));
      if (!result.ok) throw failureError(result);
      return reply.code(204).send(null);
    },
  );
}
