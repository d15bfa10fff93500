import { Type } from 'typebox';
import type { Lifecycle } from '../plugins/lifecycle-plugin.js';
import type { Api, RouteContext } from '../route-context.js';

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable'), Type.Literal('draining')]),
  checks: Type.Record(Type.String(), Type.String()),
});

/**
 * GET /api/ready: may this instance take traffic? Every store answers (the health checks), the schema has no pending
 * migration, and the process is not shutting down. Load balancers and orchestrators route by it; GET /api/health
 * stays the contract's liveness answer.
 */
export function registerReadinessRoutes(api: Api, { services }: RouteContext, lifecycle: Lifecycle): void {
  api.get('/ready', { schema: { response: { 200: Readiness, 503: Readiness } } }, async (_request, reply) => {
    if (lifecycle.draining) return reply.code(503).send({ status: 'draining', checks: {} });
    const [health, migrations] = await Promise.all([
      services.checkHealth(),
      services.pendingMigrations().then(
        (pending) => (pending.length === 0 ? 'ok' : 'pending'),
        () => 'unavailable',
      ),
    ]);
    const checks: Record<string, string> = { ...health.checks, migrations };
    const ready = health.ok && migrations === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });
}
