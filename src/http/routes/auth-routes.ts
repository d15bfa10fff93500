import { Type } from 'typebox';
import { hasBearerHeader } from '../../auth/request-facts.js';
import { secondFactorCookie } from '../ceremony-cookies.js';
import { clearSessionCookie, setSessionCookie } from '../cookies.js';
import { offerDeviceBinding } from '../dbsc-headers.js';
import { clientInfo, sessionSecret } from '../plugins/auth-plugin.js';
import { failureError } from '../plugins/errors-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { Email, Password, SessionEnvelope, SessionView, toSessionView, toUserView, Warning } from '../schemas.js';
import { TokenPairView, toTokenPairView } from './token-routes.js';

const RegisterBody = Type.Object(
  { email: Email, password: Password, name: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
);
const LoginBody = Type.Object(
  { email: Email, password: Password, rememberMe: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
const SignedIn = Type.Intersect([SessionEnvelope, Type.Object({ warnings: Type.Array(Warning) })]);
/** The password was right and the account has a second factor: no session yet, only the 2fa cookie (issue 17). */
export const SecondFactorAsked = Type.Object({
  secondFactorRequired: Type.Literal(true),
  methods: Type.Array(Type.Union([Type.Literal('totp'), Type.Literal('passkey'), Type.Literal('recovery_code')])),
});
const LogoutEverywhereBody = Type.Union([
  Type.Object({ removeIdentities: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  Type.Null(),
]);
const PasswordBody = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false });

/** Sign-up, sign-in, sign-out and password change (API.md, "Account and session"). */
export function registerAuthRoutes(api: Api, { services, config, guards }: RouteContext): void {
  api.post(
    '/auth/register',
    {
      config: { errorCodes: ['forbidden', 'weak_password', 'email_taken', 'rate_limited'] },
      schema: { body: RegisterBody, response: { 201: SignedIn } },
    },
    async (request, reply) => {
      const result = await services.accounts.register(
        request.body,
        clientInfo(request),
        sessionSecret(request, config),
      );
      if (!result.ok) throw failureError(result);
      setSessionCookie(reply, config, result);
      await offerDeviceBinding(reply, services, config, result.session);
      return reply.code(201).send({
        user: toUserView(result.user),
        session: toSessionView(result.session),
        csrfToken: result.session.csrfToken,
        warnings: result.warnings,
      });
    },
  );

  api.post(
    '/auth/login',
    {
      // unauthenticated: ANOMALY_ACTION=revoke ended every session of the account, this sign-in's included.
      config: { errorCodes: ['invalid_credentials', 'account_disabled', 'rate_limited', 'unauthenticated'] },
      schema: { body: LoginBody, response: { 200: Type.Union([SignedIn, SecondFactorAsked]) } },
    },
    async (request, reply) => {
      const result = await services.accounts.login(request.body, clientInfo(request), sessionSecret(request, config));
      if (!result.ok && result.code === 'second_factor_required') {
        secondFactorCookie.set(reply, config, result.held.secret);
        return { secondFactorRequired: true as const, methods: result.held.methods };
      }
      if (!result.ok) throw failureError(result);
      setSessionCookie(reply, config, result);
      await offerDeviceBinding(reply, services, config, result.session);
      return {
        user: toUserView(result.user),
        session: toSessionView(result.session),
        csrfToken: result.session.csrfToken,
        warnings: result.warnings,
      };
    },
  );

  api.post('/auth/logout', { schema: { response: { 204: Type.Null() } } }, async (request, reply) => {
    // Without a live session there is nothing to protect and nothing to end: still 204, cookie cleared.
    const auth = await guards.readSession(request, reply);
    if (auth) {
      await guards.requireSession(request, reply);
      await services.sessions.revoke(auth.session, {
        by: 'logout',
        actorId: auth.user.id,
        client: clientInfo(request),
      });
    }
    clearSessionCookie(reply, config);
    return reply.code(204).send(null);
  });

  api.post(
    '/auth/logout-everywhere',
    {
      config: { errorCodes: ['reauthentication_required'] },
      preHandler: guards.requireSession,
      schema: { body: LogoutEverywhereBody, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const { user } = request.auth!;
      const userId = user.id;
      // Removing the linked identities too ends what a thief may have linked (issue 15); unlinking is sensitive, so
      // it asks for a recent proof before anything is ended.
      if (request.body?.removeIdentities) {
        await guards.requireRecentAuth(request, reply);
        for (const identity of await services.signOn.unlinkAll(user)) {
          await services.audit.record('identity.unlinked', clientInfo(request), {
            userId,
            details: { method: 'oidc', provider: identity.provider, during: 'logout_everywhere' },
          });
        }
      }
      await services.sessions.revokeAll(userId, { by: 'logout', actorId: userId, client: clientInfo(request) });
      clearSessionCookie(reply, config);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/auth/password',
    {
      config: { errorCodes: ['invalid_credentials', 'weak_password', 'rate_limited'] },
      preHandler: guards.requireSession,
      schema: {
        body: PasswordBody,
        response: {
          200: Type.Object({
            session: SessionView,
            csrfToken: Type.Union([Type.String(), Type.Null()]),
            tokens: Type.Optional(TokenPairView),
          }),
        },
      },
    },
    async (request, reply) => {
      const { currentPassword, newPassword } = request.body;
      const result = await services.accounts.changePassword(
        request.auth!,
        currentPassword,
        newPassword,
        clientInfo(request),
      );
      if (!result.ok) throw failureError(result);
      if (hasBearerHeader(request.headers)) {
        // The token family was rotated like a cookie session would be; its new pair replaces the dead one.
        const pair = await services.apiTokens.issueForFamily(result.session, result.user);
        return { session: toSessionView(result.session), csrfToken: null, tokens: toTokenPairView(pair) };
      }
      setSessionCookie(reply, config, result);
      await offerDeviceBinding(reply, services, config, result.session);
      return { session: toSessionView(result.session), csrfToken: result.session.csrfToken };
    },
  );
}
