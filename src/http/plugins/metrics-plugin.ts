import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../config/config.js';
import { HeimdallError } from '../../core/errors.js';
import type { RequestMetrics } from '../api-services.js';
import { isOperator } from '../operator-access.js';

/**
 * GET /metrics for Prometheus, served only when METRICS_TOKEN is set and only to requests bearing it (constant-time
 * compare). Off, nothing is installed: no hook, no per-request cost. On, one histogram observation per request,
 * labelled with the route template, never the raw URL (bounded label sets). Install before the routes.
 */
export function installMetrics(app: FastifyInstance, metrics: RequestMetrics, config: Config): void {
  const token = config.metricsToken;
  if (!token) return;
  metrics.enableProcessMetrics();
  // A callback hook, not an async one: no promise per request on this path.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.get(
    '/metrics',
    {
      config: { errorCodes: ['unauthenticated'] },
      schema: {
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: Type.String() } },
          },
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      if (!isOperator(request, config)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new HeimdallError('unauthenticated', 'Metrics need Authorization: Bearer <METRICS_TOKEN>.');
      }
      return reply.type(metrics.contentType).send(await metrics.render());
    },
  );
}
