import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import { safeEqual } from '../core/tokens.js';

/**
 * Whether the request bears `Authorization: Bearer <METRICS_TOKEN>` (constant-time compare): the operator's
 * credential for metrics and for the store details of the probes. Never true when METRICS_TOKEN is unset.
 */
export function isOperator(request: FastifyRequest, config: Pick<Config, 'metricsToken'>): boolean {
  const sent = request.headers.authorization;
  return config.metricsToken !== null && typeof sent === 'string' && safeEqual(sent, `Bearer ${config.metricsToken}`);
}
