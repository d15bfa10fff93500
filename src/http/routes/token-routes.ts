import { type Static, Type } from 'typebox';
import { hasBearerHeader } from '../../auth/request-facts.js';
import type { IssueResult, TokenPair } from '../../core/api-token-service.js';
import { HeimdallError } from '../../core/errors.js';
import { clientInfo } from '../plugins/auth-plugin.js';
import { failureError } from '../plugins/errors-plugin.js';
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

/** Hybrid API tokens (API.md, "Tokens"). Every endpoint spends the per-address `tokens` budget. */
export function registerTokenRoutes(api: Api, { services, guards }: RouteContext): void {
  api.post(
    '/tokens',
    {
      config: {
        errorCodes: ['invalid_credentials', 'account_disabled', 'rate_limited', 'forbidden', 'unauthenticated'],
      },
      schema: { body: IssueBody, response: { 200: TokenPairView } },
    },
    async (request, reply) => {
      let result: IssueResult;
      if (request.body) {
        // The sign-in path: throttled and audited, and an unknown email answers like a wrong password.
        const { email, password } = request.body;
        result = await services.apiTokens.issueWithCredentials(email, password, clientInfo(request));
      } else {
        // A stolen access token must not be able to mint a long-lived refresh token: only a cookie session can.
        if (hasBearerHeader(request.headers)) {
          throw new HeimdallError('forbidden', 'Token families are created with credentials or a cookie session.');
        }
        await guards.requireSession(request, reply);
        result = await services.apiTokens.issueForSession(request.auth!, clientInfo(request));
      }
      if (!result.ok) throw failureError(result);
      return toTokenPairView(result.pair);
    },
  );

  api.post(
    '/tokens/refresh',
    {
      config: { errorCodes: ['unauthenticated', 'token_reused', 'rate_limited'] },
      schema: { body: RefreshTokenBody, response: { 200: TokenPairView } },
    },
    async (request) => {
      const result = await services.apiTokens.refresh(request.body.refreshToken, clientInfo(request));
      if (!result.ok) throw failureError(result);
      return toTokenPairView(result.pair);
    },
  );

  api.post(
    '/tokens/revoke',
    { config: { errorCodes: ['rate_limited'] }, schema: { body: RefreshTokenBody, response: { 204: Type.Null() } } },
    async (request, reply) => {
      const result = await services.apiTokens.revoke(request.body.refreshToken, clientInfo(request));
      if (!result.ok) throw failureError(result);
      return reply.code(204).send(null);
    },
  );
}
