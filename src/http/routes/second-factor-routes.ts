import { Type } from 'typebox';
import type { SecondFactorProof } from '../../core/second-factor-service.js';
import type { AuthenticationResponseJSON } from '../../core/webauthn.js';
import { secondFactorCookie } from '../ceremony-cookies.js';
import { setSessionCookie } from '../cookies.js';
import { offerDeviceBinding } from '../dbsc-headers.js';
import { clientInfo, sessionSecret } from '../plugins/auth-plugin.js';
import { failureError } from '../plugins/errors-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { SessionEnvelope, toSessionView, toUserView, Warning } from '../schemas.js';
import {
  AuthenticationCredential,
  EmptyBody,
  RecoveryCode,
  RequestOptionsView,
  TotpCode,
} from '../webauthn-schemas.js';

/** Exactly one factor per request. */
const SecondFactorBody = Type.Union([
  Type.Object({ totp: TotpCode }, { additionalProperties: false }),
  Type.Object({ recoveryCode: RecoveryCode }, { additionalProperties: false }),
  Type.Object({ passkey: AuthenticationCredential }, { additionalProperties: false }),
]);

const SignedIn = Type.Intersect([
  SessionEnvelope,
  Type.Object({
    warnings: Type.Array(Warning),
    /** Where a third-party sign-on was going (a same-origin path or a URL on an allowed origin), or null. */
    returnTo: Type.Union([Type.String(), Type.Null()]),
  }),
]);

/**
 * The second step of a sign-in held for its second factor (API.md, "Second factors"): the `__Host-heimdall-2fa`
 * cookie set by POST /api/auth/login or by a third-party sign-on names it. Wrong codes count toward the login
 * limits; five wrong codes drop the held sign-in.
 */
export function registerSecondFactorRoutes(api: Api, { services, config }: RouteContext): void {
  api.post(
    '/auth/login/second-factor/options',
    {
      config: { errorCodes: ['unauthenticated'] },
      schema: { body: EmptyBody, response: { 200: RequestOptionsView } },
    },
    async (request) => {
      const options = await services.secondFactors.secondStepOptions(secondFactorCookie.read(request, config));
      if (!options)
        throw failureError({ code: 'unauthenticated', message: 'No sign-in is waiting for a second factor.' });
      return options;
    },
  );

  api.post(
    '/auth/login/second-factor',
    {
      config: { errorCodes: ['unauthenticated', 'invalid_credentials', 'rate_limited'] },
      schema: { body: SecondFactorBody, response: { 200: SignedIn } },
    },
    async (request, reply) => {
      const body = request.body;
      const proof: SecondFactorProof =
        'passkey' in body ? { passkey: body.passkey as AuthenticationResponseJSON } : body;
      const result = await services.secondFactors.complete(
        secondFactorCookie.read(request, config),
        proof,
        clientInfo(request),
        sessionSecret(request, config),
      );
      if (!result.ok) {
        // A sign-in that cannot be finished any more: its cookie goes too.
        if (result.code === 'unauthenticated') secondFactorCookie.clear(reply, config);
        throw failureError(result);
      }
      secondFactorCookie.clear(reply, config);
      setSessionCookie(reply, config, result);
      await offerDeviceBinding(reply, services, config, result.session);
      return {
        user: toUserView(result.user),
        session: toSessionView(result.session),
        csrfToken: result.session.csrfToken,
        warnings: result.warnings,
        returnTo: result.returnTo,
      };
    },
  );
}
