import { type Static, Type } from 'typebox';
import type { TokenPair } from '../../core/api-token-service.js';
import { HeimdallError } from '../../core/errors.js';
import { clientInfo } from '../plugins/auth-plugin.js';
import { hasBearer } from '../plugins/csrf-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { Email, Password } from '../schemas.js';

export const TokenPairView = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer(),
  refreshToken: Type.String(),
});

export function toTokenPairView(pair: TokenPair): Static<typeof TokenPairView> {
  const { accessToken, tokenType, expiresIn, refreshToken } = pair;
  return { accessToken, tokenType, expiresIn, refreshToken };
}

/** Absent body: use the cookie session. The credentials schema stays strict: unknown fields are a 400. */
const IssueBody = Type.Union([
  Type.Object({ email: Email, password: Password }, { additionalProperties: false }),
  Type.Null(),
]);
const RefreshTokenBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);

/** Hybrid API tokens (API.md, "Tokens"). */
export function registerTokenRoutes(api: Api, { services, guards }: RouteContext): void {
  api.post('/tokens', { schema: { body: IssueBody, response: { 200: TokenPairView } } }, async (request, reply) => {
    let user: Parameters<typeof services.apiTokens.issue>[0] | null;
    if (request.body) {
      // The same path as sign-in: unknown email and wrong password cost the same and answer the same.
      user = await services.users.authenticate(request.body.email, request.body.password);
      if (!user) throw new HeimdallError('invalid_credentials');
    } else {
      // A stolen access token must not be able to mint a long-lived refresh token: only a cookie session can.
      if (hasBearer(request)) {
        throw new HeimdallError('forbidden', 'Token families are created with credentials or a cookie session.');
      }
      await guards.requireSession(request, reply);
      user = request.auth!.user;
    }
    return toTokenPairView(await services.apiTokens.issue(user, clientInfo(request)));
  });

  api.post(
    '/tokens/refresh',
    { schema: { body: RefreshTokenBody, response: { 200: TokenPairView } } },
    async (request) => {
      const result = await services.apiTokens.refresh(request.body.refreshToken, clientInfo(request));
      if (!result.ok) {
        if (result.code === 'token_reused') {
          // Written to the request log under `audit` until the audit log exists (as the sign-on routes do).
          const { id: sessionId, userId } = result.family;
          request.log.warn({ audit: { type: 'token.reused', userId, sessionId, ip: request.ip } }, 'token.reused');
        }
        throw new HeimdallError(result.code);
      }
      return toTokenPairView(result.pair);
    },
  );

  api.post(
    '/tokens/revoke',
    { schema: { body: RefreshTokenBody, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await services.apiTokens.revoke(request.body.refreshToken);
      return reply.code(204).send(null);
    },
  );
}
