import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { HeimdallError } from '../../core/errors.js';
import type { Authenticated } from '../../core/session-service.js';
import { readSfString, sessionInstructions, setBoundCookie } from '../dbsc-headers.js';
import { clientInfo } from '../plugins/auth-plugin.js';
import { credentialFacts } from '../plugins/csrf-plugin.js';
import { failureError } from '../plugins/errors-plugin.js';
import type { Api, RouteContext } from '../route-context.js';

const Instructions = Type.Object({
  session_identifier: Type.String(),
  refresh_url: Type.String(),
  scope: Type.Object({ origin: Type.String(), include_site: Type.Boolean() }),
  credentials: Type.Array(
    Type.Object({ type: Type.Literal('cookie'), name: Type.String(), attributes: Type.String() }),
  ),
  allowed_refresh_initiators: Type.Optional(Type.Array(Type.String())),
});
/** DBSC's way to tell a browser to drop its device-bound session (this session is not, or no longer, bound). */
const Ended = Type.Object({ continue: Type.Literal(false) });

/**
 * Device-bound sessions (API.md "Device-bound sessions"; W3C DBSC). The browser calls these by itself, without the
 * SPA's CSRF token: the proof JWT over a challenge only this session was given stands in for it, and the Origin and
 * Fetch Metadata checks still apply. Both answer 404 when DBSC is off.
 */
export function registerDbscRoutes(api: Api, { services, config, guards, authenticator }: RouteContext): void {
  const requireDbsc = (): void => {
    if (!config.dbsc.enabled) throw new HeimdallError('not_found', 'Device-bound sessions are off (DBSC=off).');
  };
  const proofOf = (request: FastifyRequest): string | null => readSfString(request.headers['secure-session-response']);
  const bound = (reply: FastifyReply, auth: Authenticated, cookie: Parameters<typeof setBoundCookie>[2]) => {
    setBoundCookie(reply, config, cookie, services.clock.now());
    return sessionInstructions(config, auth.session);
  };

  api.post(
    '/dbsc/register',
    {
      config: { errorCodes: ['not_found', 'unauthenticated', 'invalid_request', 'forbidden'] },
      schema: { response: { 200: Instructions } },
    },
    async (request, reply) => {
      requireDbsc();
      // The ordinary authentication (a bound session still needs its bound cookie), without the CSRF token.
      const auth = await guards.readSession(request, reply);
      if (!auth) throw new HeimdallError('unauthenticated');
      if (request.authScheme !== 'cookie') throw new HeimdallError('forbidden', 'Only a browser session is bound.');
      const proof = proofOf(request);
      if (!proof) throw new HeimdallError('invalid_request', 'Send the proof in Secure-Session-Response.');
      const result = await services.deviceBinding.register(auth.session, proof, clientInfo(request));
      if (!result.ok) throw failureError(result);
      return bound(reply, auth, result.cookie);
    },
  );

  api.post(
    '/dbsc/refresh',
    {
      config: { errorCodes: ['not_found', 'unauthenticated', 'invalid_request', 'forbidden'] },
      schema: { response: { 200: Type.Union([Instructions, Ended]) } },
    },
    async (request, reply) => {
      requireDbsc();
      // The one caller that accepts a bound session without its bound cookie: renewing that cookie is its purpose.
      const identification = await authenticator.identify(credentialFacts(request), { ignoreDeviceBinding: true });
      const auth = identification.scheme === 'cookie' ? identification.auth : null;
      if (!auth) throw new HeimdallError('unauthenticated');
      const sessionId = readSfString(request.headers['sec-secure-session-id']);
      if (!sessionId) throw new HeimdallError('invalid_request', 'Send the session id in Sec-Secure-Session-Id.');
      // The browser refreshes a device-bound session this cookie no longer stands for (signed in again, password
      // changed) or one never bound here: tell it to drop that session rather than fail its requests.
      if (sessionId !== auth.session.id || auth.session.deviceKey === null) return { continue: false as const };
      const proof = proofOf(request);
      if (!proof) {
        const challenge = await services.deviceBinding.challengeRefresh(auth.session);
        reply.header('secure-session-challenge', `"${challenge}";id="${auth.session.id}"`);
        throw new HeimdallError('forbidden', 'Sign this challenge with the session key.');
      }
      const result = await services.deviceBinding.refresh(auth.session, proof, clientInfo(request));
      if (!result.ok) {
        if (result.code === 'forbidden' && result.challenge) {
          reply.header('secure-session-challenge', `"${result.challenge}";id="${auth.session.id}"`);
        }
        throw failureError(result);
      }
      return bound(reply, auth, result.cookie);
    },
  );
}
