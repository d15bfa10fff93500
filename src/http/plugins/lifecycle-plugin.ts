import type { FastifyInstance } from 'fastify';

/** Where the process is in its life, as the HTTP layer needs to know it. */
export interface Lifecycle {
  /** Shutting down: readiness answers 503 so that load balancers stop sending new work here. */
  draining: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: Lifecycle;
  }
}

export function installLifecycle(app: FastifyInstance): Lifecycle {
  const lifecycle: Lifecycle = { draining: false };
  app.decorate('lifecycle', lifecycle);
  return lifecycle;
}
