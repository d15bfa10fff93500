import { Type } from 'typebox';
import type { Api, RouteContext } from '../route-context.js';
import { OperatorDetails, Probe, probeDetails } from './probe-views.js';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  checks: Type.Object({ database: Probe, sessions: Probe }),
  details: Type.Optional(OperatorDetails),
});

/** Liveness with a real probe of the stores: 503 when a backing store cannot be reached. */
export function registerHealthRoutes(api: Api, { services, config }: RouteContext): void {
  api.get('/health', { schema: { response: { 200: Health, 503: Health } } }, async (request, reply) => {
    const report = await services.checkHealth();
    return reply.code(report.ok ? 200 : 503).send({
      status: report.ok ? 'ok' : 'unavailable',
      checks: report.checks,
      ...probeDetails(request, config, services),
    });
  });
}
