import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import type { Config } from '../config/config.js';
import type { ApiServices } from './api-services.js';
import type { AuthGuards } from './plugins/auth-plugin.js';

/** A Fastify instance whose route schemas are TypeBox types, so handlers see typed bodies and replies. */
export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What every route file receives. */
export interface RouteContext {
  services: ApiServices;
  config: Config;
  guards: AuthGuards;
  /** The one request-authentication path (guards, forward auth and the embedding adapters share it). */
  authenticator: RequestAuthenticator;
}
