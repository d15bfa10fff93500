import { Type } from 'typebox';
import { clientInfo } from '../plugins/auth-plugin.js';
import { failureError } from '../plugins/errors-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { EmptyBody, TotpCode } from '../webauthn-schemas.js';

const RecoveryCodes = Type.Object({ recoveryCodes: Type.Array(Type.String()) });

/**
 * The authenticator app (TOTP, RFC 6238) and recovery codes (API.md, "Second factors"). Every change needs fresh
 * authentication; recovery codes are shown once, in the answer that issues them.
 */
export function registerTotpRoutes(api: Api, { services, guards }: RouteContext): void {
  const { totp } = services;

  api.post(
    '/account/totp',
    {
      preHandler: guards.requireRecentAuth,
      schema: {
        body: EmptyBody,
        response: {
          200: Type.Object({ secret: Type.String(), otpauthUrl: Type.String(), expiresAt: Type.String() }),
        },
      },
    },
    async (request) => {
      const started = await totp.start(request.auth!.user);
      return { ...started, expiresAt: new Date(started.expiresAt).toISOString() };
    },
  );

  api.post(
    '/account/totp/confirm',
    {
      preHandler: guards.requireRecentAuth,
      schema: {
        body: Type.Object({ code: TotpCode }, { additionalProperties: false }),
        response: { 200: RecoveryCodes },
      },
    },
    async (request) => {
      const result = await totp.confirm(request.auth!, request.body.code, clientInfo(request));
      if (!result.ok) throw failureError(result);
      return { recoveryCodes: result.recoveryCodes };
    },
  );

  api.delete(
    '/account/totp',
    {
      config: { errorCodes: ['not_found'] },
      preHandler: guards.requireRecentAuth,
      schema: { response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const result = await totp.remove(request.auth!, clientInfo(request));
      if (!result.ok) throw failureError(result);
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/account/recovery-codes',
    {
      preHandler: guards.requireSession,
      schema: {
        response: {
          200: Type.Object({ remaining: Type.Integer(), generatedAt: Type.Union([Type.String(), Type.Null()]) }),
        },
      },
    },
    async (request) => {
      const { remaining, generatedAt } = await totp.recoveryCodeStatus(request.auth!.user.id);
      return { remaining, generatedAt: generatedAt === null ? null : new Date(generatedAt).toISOString() };
    },
  );

  api.post(
    '/account/recovery-codes',
    { preHandler: guards.requireRecentAuth, schema: { body: EmptyBody, response: { 200: RecoveryCodes } } },
    async (request) => {
      const result = await totp.regenerateRecoveryCodes(request.auth!, clientInfo(request));
      if (!result.ok) throw failureError(result);
      return { recoveryCodes: result.recoveryCodes };
    },
  );
}
