import { Type } from 'typebox';
import type { Api, RouteContext } from '../route-context.js';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  checks: Type.Record(Type.String(), Type.String()),
});

/** Liveness with a real probe of the stores: 503 when a backing store cannot be reached. */
export function registerHealthRoutes(api: Api, { services }: RouteContext): void {
  api.get('/health', { schema: { response: { 200: Health, 503: Health } } }, async (_request, reply) => {
    const report = await services.checkHealth();
    return reply.code(report.ok ? 200 : 503).send({ status: report.ok ? 'ok' : 'unavailable', checks: report.checks });
  });
}
