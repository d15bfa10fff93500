import type { Services } from '../app/build-services.js';
import type { Config } from '../config/config.js';
import { RequestAuthenticator } from './request-authenticator.js';

/** The request authenticator over the configured stores: the same for Heimdall's routes and for embedding hosts. */
export function createRequestAuthenticator(
  services: Pick<Services, 'sessions' | 'bearer'>,
  config: Pick<Config, 'cookieName' | 'origins' | 'publicUrl'>,
): RequestAuthenticator {
  return new RequestAuthenticator({
    sessions: services.sessions,
    bearer: services.bearer,
    cookieName: config.cookieName,
    allowedOrigins: [...config.origins, config.publicUrl],
  });
}
