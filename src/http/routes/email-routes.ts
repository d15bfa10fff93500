import { Type } from 'typebox';
import { clientInfo } from '../plugins/auth-plugin.js';
import { failureError } from '../plugins/errors-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { Accepted, Email, EmailToken, toUserView, UserView } from '../schemas.js';

const VerifyBody = Type.Object({ token: EmailToken }, { additionalProperties: false });
const ChangeEmailBody = Type.Object({ email: Email }, { additionalProperties: false });

/** Email verification and change of email (API.md, "Email"). */
export function registerEmailRoutes(api: Api, { services, guards }: RouteContext): void {
  // The link is opened wherever the mail is read, perhaps signed out or signed in as someone else: the token alone
  // decides, and no session is needed.
  api.post(
    '/auth/email/verify',
    {
      config: { errorCodes: ['invalid_token', 'email_taken'] },
      schema: { body: VerifyBody, response: { 200: Type.Object({ user: UserView }) } },
    },
    async (request) => {
      const result = await services.emailVerification.verify(request.body.token, clientInfo(request));
      if (!result.ok) throw failureError(result);
      return { user: toUserView(result.user) };
    },
  );

  api.post(
    '/auth/email/verify/resend',
    {
      config: { errorCodes: ['rate_limited'] },
      preHandler: guards.requireSession,
      schema: { response: { 202: Accepted } },
    },
    async (request, reply) => {
      const result = await services.emailVerification.resend(request.auth!);
      if (!result.ok) throw failureError(result);
      return reply.code(202).send({});
    },
  );

  api.post(
    '/account/email',
    {
      config: { errorCodes: ['email_taken', 'rate_limited'] },
      preHandler: guards.requireRecentAuth,
      schema: { body: ChangeEmailBody, response: { 202: Accepted } },
    },
    async (request, reply) => {
      const result = await services.emailVerification.requestChange(
        request.auth!,
        request.body.email,
        clientInfo(request),
      );
      if (!result.ok) throw failureError(result);
      return reply.code(202).send({});
    },
  );
}
