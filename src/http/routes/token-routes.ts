import { type Static, Type } from 'typebox';
import type { GrantFactor, IssueResult, TokenPair } from '../../core/api-token-service.js';
import { clientInfo } from '../plugins/auth-plugin.js';
import { failureError } from '../plugins/errors-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { Email, Password } from '../schemas.js';
import { RecoveryCode, TotpCode } from '../webauthn-schemas.js';

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

/**
 * Absent body: use the cookie session. The credentials schema stays strict: unknown fields are a 400. An account with
 * a second factor sends `totp` or `recoveryCode` beside its password (API.md, "Second factors").
 */
const IssueBody = Type.Union([
  Type.Object(
    {
      email: Email,
      password: Password,
      totp: Type.Optional(TotpCode),
      recoveryCode: Type.Optional(RecoveryCode),
    },
    { additionalProperties: false },
  ),
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
        errorCodes: [
          'invalid_credentials',
          'account_disabled',
          'second_factor_required',
          'rate_limited',
          'unauthenticated',
          'reauthentication_required',
        ],
      },
      schema: { body: IssueBody, response: { 200: TokenPairView } },
    },
    async (request, reply) => {
      let result: IssueResult;
      if (request.body) {
        // The sign-in path: throttled and audited, and an unknown email answers like a wrong password.
        const { email, password, totp, recoveryCode } = request.body;
        const factor: GrantFactor | undefined =
          totp !== undefined ? { totp } : recoveryCode !== undefined ? { recoveryCode } : undefined;
        result = await services.apiTokens.issueWithCredentials(email, password, clientInfo(request), factor);
      } else {
        // A sensitive action (API.md, "Fresh authentication"): a cookie session with a recent proof. A stolen access
        // token never passes, so it cannot mint a long-lived refresh token.
        await guards.requireRecentAuth(request, reply);
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
