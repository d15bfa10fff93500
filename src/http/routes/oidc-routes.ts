import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config/config.js';
import type { AuditEventType, AuditTrail } from '../../core/audit.js';
import { HeimdallError } from '../../core/errors.js';
import type { Identity } from '../../core/identity.js';
import type { SignOnErrorCode } from '../../core/sign-on.js';
import { secondFactorCookie } from '../ceremony-cookies.js';
import { setSessionCookie } from '../cookies.js';
import { offerDeviceBinding } from '../dbsc-headers.js';
import { clientInfo, sessionSecret } from '../plugins/auth-plugin.js';
import { failureError } from '../plugins/errors-plugin.js';
import { clearPreLoginCookie, readPreLoginCookie, setPreLoginCookie } from '../pre-login-cookie.js';
import type { Api, RouteContext } from '../route-context.js';
import { IdParam } from '../schemas.js';

const ProviderParams = Type.Object({ provider: Type.String({ minLength: 1, maxLength: 64 }) });
/** Anything but one allowed address is ignored (API.md), so a repeated or odd value is not a 400. */
const ReturnToQuery = Type.Object({
  returnTo: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
});
/** The provider's authorization response (code, state, iss or error…), validated by openid-client. */
const QueryValue = Type.Union([Type.String(), Type.Array(Type.String())]);
const CallbackQuery = Type.Object(
  {
    code: Type.Optional(QueryValue),
    state: Type.Optional(QueryValue),
    iss: Type.Optional(QueryValue),
    error: Type.Optional(QueryValue),
    error_description: Type.Optional(QueryValue),
  },
  // Providers may add their own parameters (session_state…); openid-client judges the whole response.
  { additionalProperties: QueryValue },
);
const Redirect = { 302: Type.Null() };
export const ProviderView = Type.Object({ name: Type.String(), label: Type.String(), startUrl: Type.String() });
export const IdentityView = Type.Object({
  id: Type.String(),
  provider: Type.String(),
  label: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  lastUsedAt: Type.String(),
});

/** A linked identity as the API shows it (with the provider's label). */
export function identityView(identity: Identity, labelOf: (provider: string) => string) {
  return {
    id: identity.id,
    provider: identity.provider,
    label: labelOf(identity.provider),
    email: identity.email,
    createdAt: new Date(identity.createdAt).toISOString(),
    lastUsedAt: new Date(identity.lastUsedAt).toISOString(),
  };
}

function providerPath(config: Config, name: string, action: 'start' | 'callback'): string {
  return `${config.publicUrl}/api/oidc/${encodeURIComponent(name)}/${action}`;
}

/** Where a sign-on lands: a path on the SPA, or an app on an allowed origin (both validated by checkReturnTo()). */
function landingUrl(config: Config, returnTo: string): string {
  return returnTo.startsWith('/') ? `${config.publicUrl}${returnTo}` : returnTo;
}

/** Failures land on the SPA with a code from a closed list: nothing from the request is reflected. */
function errorUrl(config: Config, code: SignOnErrorCode): string {
  return `${config.publicUrl}/?error=${code}`;
}

/**
 * Security events of sign-on: into the audit log (where users and admins read them) and the request log. Failures
 * carry the library's reason, which is for operators and never reaches the browser.
 */
async function recordEvent(
  audit: AuditTrail,
  request: FastifyRequest,
  type: AuditEventType,
  fields: Record<string, unknown>,
  failed = false,
): Promise<void> {
  const { userId, sessionId, ...details } = fields;
  await audit.record(type, clientInfo(request), {
    userId: typeof userId === 'string' ? userId : null,
    sessionId: typeof sessionId === 'string' ? sessionId : null,
    details: { method: 'oidc', ...details },
  });
  const entry = { audit: { type, method: 'oidc', ip: request.ip, ...fields } };
  if (failed) request.log.warn(entry, `${type}: ${String(fields.code)}`);
  else request.log.info(entry, type);
}

/** Sign-on with a third party (API.md, "Sign-on with a third party (OIDC)"). */
export function registerOidcRoutes(api: Api, { services, config, guards }: RouteContext): void {
  const signOn = services.signOn;

  api.get(
    '/oidc/providers',
    { schema: { response: { 200: Type.Object({ providers: Type.Array(ProviderView) }) } } },
    async () => ({
      providers: signOn.listProviders().map((p) => ({ ...p, startUrl: providerPath(config, p.name, 'start') })),
    }),
  );

  api.get(
    '/oidc/:provider/start',
    {
      config: { errorCodes: ['rate_limited'] },
      schema: { params: ProviderParams, querystring: ReturnToQuery, response: Redirect },
    },
    async (request, reply) => {
      const { provider } = request.params;
      const started = await signOn.start({
        provider,
        redirectUri: providerPath(config, provider, 'callback'),
        returnTo: request.query.returnTo,
        client: clientInfo(request),
      });
      // A script starting attempts in a loop gets the API's 429, not a redirect to the SPA.
      if (!started.ok && started.code === 'rate_limited') throw failureError(started);
      if (!started.ok) {
        await recordEvent(services.audit, request, 'auth.login_failed', { stage: 'start', ...started }, true);
        return reply.redirect(errorUrl(config, started.code));
      }
      setPreLoginCookie(reply, config, started.secret);
      return reply.redirect(started.url);
    },
  );

  api.get(
    '/oidc/:provider/callback',
    { schema: { params: ProviderParams, querystring: CallbackQuery, response: Redirect } },
    async (request, reply) => {
      const { provider } = request.params;
      const preLoginSecret = readPreLoginCookie(request, config);
      if (preLoginSecret) clearPreLoginCookie(reply, config);
      // The redirect URI sent to the token endpoint must be the registered one: rebuild it from the public URL.
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const outcome = await signOn.complete({
        provider,
        callbackUrl: new URL(`${providerPath(config, provider, 'callback')}${query}`),
        preLoginSecret,
        client: clientInfo(request),
        presentedSessionSecret: sessionSecret(request, config),
      });
      if (!outcome.ok) {
        const { code, reason, userId } = outcome;
        await recordEvent(
          services.audit,
          request,
          'auth.login_failed',
          { stage: 'callback', provider, code, reason, userId },
          true,
        );
        return reply.redirect(errorUrl(config, outcome.code));
      }
      if (outcome.intent === 'sign-in') {
        setSessionCookie(reply, config, outcome.issued);
        await offerDeviceBinding(reply, services, config, outcome.issued.session);
        await recordEvent(services.audit, request, 'auth.login', {
          provider,
          userId: outcome.user.id,
          sessionId: outcome.issued.session.id,
          createdAccount: outcome.createdAccount,
          linkedIdentity: outcome.linkedIdentity,
        });
      } else if (outcome.intent === 'second-factor') {
        // The account has a second factor: no session yet. The SPA's /second-factor page finishes the sign-in with
        // the 2fa cookie, exactly as after a password (the session it makes keeps the provider and `returnTo`).
        secondFactorCookie.set(reply, config, outcome.held.secret);
        return reply.redirect(`${config.publicUrl}/second-factor?methods=${outcome.held.methods.join(',')}`);
      } else {
        await recordEvent(services.audit, request, 'identity.linked', {
          provider,
          userId: outcome.user.id,
          identityId: outcome.identity.id,
        });
      }
      return reply.redirect(landingUrl(config, outcome.returnTo));
    },
  );

  // Linking adds a way into the account that survives a password change: a sensitive action (API.md, "Fresh
  // authentication"). A Bearer token never passes this guard, so a stolen access token cannot link (issue 15).
  api.post(
    '/oidc/:provider/link',
    {
      config: { errorCodes: ['not_found', 'rate_limited'] },
      preHandler: guards.requireRecentAuth,
      schema: {
        params: ProviderParams,
        querystring: ReturnToQuery,
        response: { 200: Type.Object({ url: Type.String() }) },
      },
    },
    async (request, reply) => {
      const { provider } = request.params;
      const started = await signOn.start({
        provider,
        redirectUri: providerPath(config, provider, 'callback'),
        returnTo: request.query.returnTo,
        link: request.auth!,
        client: clientInfo(request),
      });
      if (!started.ok && started.code === 'rate_limited') throw failureError(started);
      if (!started.ok) {
        if (started.code === 'unknown_provider') throw new HeimdallError('not_found', 'No such provider.');
        request.log.warn({ provider, reason: started.reason }, 'identity provider unavailable');
        throw new HeimdallError('service_unavailable', 'The identity provider cannot be reached; try again shortly.');
      }
      setPreLoginCookie(reply, config, started.secret);
      return { url: started.url };
    },
  );

  const toIdentityView = (identity: Identity) => identityView(identity, (name) => signOn.labelOf(name));

  api.get(
    '/oidc/identities',
    {
      preHandler: guards.requireSession,
      schema: {
        response: { 200: Type.Object({ identities: Type.Array(IdentityView), hasPassword: Type.Boolean() }) },
      },
    },
    async (request) => {
      const { user } = request.auth!;
      const identities = await signOn.listIdentities(user.id);
      return { identities: identities.map(toIdentityView), hasPassword: user.passwordHash !== null };
    },
  );

  api.delete(
    '/oidc/identities/:id',
    {
      config: { errorCodes: ['not_found'] },
      preHandler: guards.requireRecentAuth,
      schema: { params: IdParam, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const { user } = request.auth!;
      const result = await signOn.unlink(user, request.params.id);
      if (!result.ok && result.code === 'not_found') throw new HeimdallError('not_found', 'No such identity.');
      if (!result.ok) {
        throw new HeimdallError(
          'invalid_request',
          'This is the only way to sign in to this account; link another provider before removing it.',
        );
      }
      await recordEvent(services.audit, request, 'identity.unlinked', {
        provider: result.identity.provider,
        userId: user.id,
      });
      return reply.code(204).send(null);
    },
  );
}
