import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { HeimdallError } from '../../core/errors.js';
import type { AuthenticationResponseJSON } from '../../core/webauthn.js';
import { setSessionCookie } from '../cookies.js';
import { offerDeviceBinding } from '../dbsc-headers.js';
import { clientInfo } from '../plugins/auth-plugin.js';
import { failureError } from '../plugins/errors-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { Password, SessionView, toSessionView, toUserView, UserView } from '../schemas.js';
import { AuthenticationCredential, EmptyBody, RequestOptionsView, TotpCode } from '../webauthn-schemas.js';

const ReauthenticateBody = Type.Object(
  {
    password: Type.Optional(Password),
    totp: Type.Optional(TotpCode),
    passkey: Type.Optional(AuthenticationCredential),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** Re-authentication belongs to a browser session: an access token is never made fresh (API.md). */
function requireCookieSession(request: FastifyRequest): void {
  if (request.authScheme !== 'cookie') {
    throw new HeimdallError('forbidden', 'Only a signed-in browser session can re-authenticate, not an access token.');
  }
}

/**
 * Fresh authentication (API.md, "Fresh authentication"): proving a factor again makes the session fresh for
 * REAUTH_MAX_AGE. The session keeps its public id; its cookie secret and CSRF token are replaced.
 */
export function registerReauthenticateRoutes(api: Api, { services, config, guards }: RouteContext): void {
  api.post(
    '/auth/reauthenticate/options',
    {
      config: { errorCodes: ['forbidden'] },
      preHandler: guards.requireSession,
      schema: { body: EmptyBody, response: { 200: RequestOptionsView } },
    },
    async (request) => {
      requireCookieSession(request);
      return services.stepUp.passkeyOptions(request.auth!);
    },
  );

  api.post(
    '/auth/reauthenticate',
    {
      config: { errorCodes: ['forbidden', 'invalid_credentials', 'second_factor_required', 'rate_limited'] },
      preHandler: guards.requireSession,
      schema: {
        body: ReauthenticateBody,
        response: { 200: Type.Object({ user: UserView, session: SessionView, csrfToken: Type.String() }) },
      },
    },
    async (request, reply) => {
      requireCookieSession(request);
      const { password, totp, passkey } = request.body;
      const result = await services.stepUp.reauthenticate(
        request.auth!,
        { password, totp, passkey: passkey as AuthenticationResponseJSON | undefined },
        clientInfo(request),
      );
      if (!result.ok) throw failureError(result);
      setSessionCookie(reply, config, result);
      await offerDeviceBinding(reply, services, config, result.session);
      return {
        user: toUserView(request.auth!.user),
        session: toSessionView(result.session),
        csrfToken: result.session.csrfToken,
      };
    },
  );
}
