import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config/config.js';
import type { ApiServices } from '../api-services.js';
import { isOperator } from '../operator-access.js';

export const Probe = Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]);

export const OperatorDetails = Type.Object(
  { stores: Type.String({ description: 'which stores are in use, and where' }) },
  { description: 'Only with `Authorization: Bearer <METRICS_TOKEN>`.' },
);

/**
 * The probes are public (load balancers ask them without credentials), so their checks are named by role and never
 * say which store stands behind one; an operator with the metrics token also gets the stores (docs/security.md).
 */
export function probeDetails(
  request: FastifyRequest,
  config: Pick<Config, 'metricsToken'>,
  services: Pick<ApiServices, 'storesDescription'>,
): { details?: { stores: string } } {
  return isOperator(request, config) ? { details: { stores: services.storesDescription } } : {};
}
