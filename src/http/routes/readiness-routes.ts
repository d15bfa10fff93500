import { Type } from 'typebox';
import type { Lifecycle } from '../plugins/lifecycle-plugin.js';
import type { Api, RouteContext } from '../route-context.js';
import { OperatorDetails, Probe, probeDetails } from './probe-views.js';

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable'), Type.Literal('draining')]),
  checks: Type.Object({
    database: Type.Optional(Probe),
    sessions: Type.Optional(Probe),
    migrations: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('pending'), Type.Literal('unavailable')])),
  }),
  details: Type.Optional(OperatorDetails),
});

/**
 * GET /api/ready: may this instance take traffic? Every store answers (the health checks), the schema has no pending
 * migration, and the process is not shutting down. Load balancers and orchestrators route by it; GET /api/health
 * stays the contract's liveness answer.
 */
export function registerReadinessRoutes(api: Api, { services, config }: RouteContext, lifecycle: Lifecycle): void {
  api.get('/ready', { schema: { response: { 200: Readiness, 503: Readiness } } }, async (request, reply) => {
    if (lifecycle.draining) return reply.code(503).send({ status: 'draining', checks: {} });
    const [health, migrations] = await Promise.all([
      services.checkHealth(),
      services.pendingMigrations().then(
        (pending) => (pending.length === 0 ? ('ok' as const) : ('pending' as const)),
        () => 'unavailable' as const,
      ),
    ]);
    const ready = health.ok && migrations === 'ok';
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'unavailable',
      checks: { ...health.checks, migrations },
      ...probeDetails(request, config, services),
    });
  });
}
