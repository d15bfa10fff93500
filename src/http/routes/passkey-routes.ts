import { type Static, Type } from 'typebox';
import type { Passkey } from '../../core/factors.js';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../../core/webauthn.js';
import { passkeyCookie } from '../ceremony-cookies.js';
import { setSessionCookie } from '../cookies.js';
import { offerDeviceBinding } from '../dbsc-headers.js';
import { clientInfo, sessionSecret } from '../plugins/auth-plugin.js';
import { failureError } from '../plugins/errors-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { IdParam, SessionEnvelope, toSessionView, toUserView, Warning } from '../schemas.js';
import {
  AuthenticationCredential,
  CreationOptionsView,
  EmptyBody,
  RegistrationCredential,
  RequestOptionsView,
} from '../webauthn-schemas.js';

export const PasskeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  /** Synced between devices by its provider (a multi-device passkey that is backed up). */
  backedUp: Type.Boolean(),
});

export function toPasskeyView(passkey: Passkey): Static<typeof PasskeyView> {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: new Date(passkey.createdAt).toISOString(),
    lastUsedAt: passkey.lastUsedAt === null ? null : new Date(passkey.lastUsedAt).toISOString(),
    backedUp: passkey.backedUp,
  };
}

const Name = Type.String({ minLength: 1, maxLength: 64 });
const Signed = Type.Intersect([SessionEnvelope, Type.Object({ warnings: Type.Array(Warning) })]);

/**
 * Passkeys (API.md, "Second factors"): the account's own (adding and removing need fresh authentication), and sign-in
 * with a passkey alone through discoverable credentials — no email asked, user verification required.
 */
export function registerPasskeyRoutes(api: Api, { services, config, guards }: RouteContext): void {
  const { passkeys, passkeySignIn } = services;

  api.post(
    '/account/passkeys/options',
    { preHandler: guards.requireRecentAuth, schema: { body: EmptyBody, response: { 200: CreationOptionsView } } },
    async (request) => passkeys.registrationOptions(request.auth!),
  );

  api.post(
    '/account/passkeys',
    {
      config: { errorCodes: ['invalid_credentials'] },
      preHandler: guards.requireRecentAuth,
      schema: {
        body: Type.Object(
          { response: RegistrationCredential, name: Type.Optional(Name) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ passkey: PasskeyView }) },
      },
    },
    async (request, reply) => {
      const { response, name } = request.body;
      const auth = request.auth!;
      const result = await passkeys.register(auth, response as RegistrationResponseJSON, name, clientInfo(request));
      if (!result.ok) {
        request.log.info({ reason: result.reason }, 'passkey registration refused');
        throw failureError({ code: result.code, message: 'The passkey could not be added; try again.' });
      }
      return reply.code(201).send({ passkey: toPasskeyView(result.passkey) });
    },
  );

  api.get(
    '/account/passkeys',
    {
      preHandler: guards.requireSession,
      schema: { response: { 200: Type.Object({ passkeys: Type.Array(PasskeyView) }) } },
    },
    async (request) => ({ passkeys: (await passkeys.list(request.auth!.user.id)).map(toPasskeyView) }),
  );

  // Renaming changes no protection: a live session and its CSRF token are enough.
  api.patch(
    '/account/passkeys/:id',
    {
      config: { errorCodes: ['not_found'] },
      preHandler: guards.requireSession,
      schema: {
        params: IdParam,
        body: Type.Object({ name: Name }, { additionalProperties: false }),
        response: { 200: Type.Object({ passkey: PasskeyView }) },
      },
    },
    async (request) => {
      const renamed = await passkeys.rename(request.auth!, request.params.id, request.body.name, clientInfo(request));
      if (!renamed) throw failureError({ code: 'not_found', message: 'No such passkey.' });
      return { passkey: toPasskeyView(renamed) };
    },
  );

  api.delete(
    '/account/passkeys/:id',
    {
      config: { errorCodes: ['not_found'] },
      preHandler: guards.requireRecentAuth,
      schema: { params: IdParam, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const removed = await passkeys.remove(request.auth!, request.params.id, clientInfo(request));
      if (!removed) throw failureError({ code: 'not_found', message: 'No such passkey.' });
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/auth/passkey/options',
    { config: { errorCodes: ['rate_limited'] }, schema: { body: EmptyBody, response: { 200: RequestOptionsView } } },
    async (request, reply) => {
      const started = await passkeySignIn.options(clientInfo(request));
      if (!started.ok) throw failureError(started);
      passkeyCookie.set(reply, config, started.secret);
      return started.options;
    },
  );

  api.post(
    '/auth/passkey',
    {
      // unauthenticated: ANOMALY_ACTION=revoke ended every session of the account, this sign-in's included.
      config: { errorCodes: ['invalid_credentials', 'unauthenticated'] },
      schema: {
        body: Type.Object({ response: AuthenticationCredential }, { additionalProperties: false }),
        response: { 200: Signed },
      },
    },
    async (request, reply) => {
      const secret = passkeyCookie.read(request, config);
      // The challenge is spent whatever happens next: the cookie that named it goes too.
      if (secret) passkeyCookie.clear(reply, config);
      const result = await passkeySignIn.signIn(
        secret,
        request.body.response as AuthenticationResponseJSON,
        clientInfo(request),
        sessionSecret(request, config),
      );
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
}
