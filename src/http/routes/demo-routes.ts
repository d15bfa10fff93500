import { Type } from 'typebox';
import type { Api, RouteContext } from '../route-context.js';

/** The seeds' example of authorization read from the source of truth: only gods enter Valhalla. */
export function registerDemoRoutes(api: Api, { guards }: RouteContext): void {
  api.get(
    '/demo/valhalla',
    { preHandler: guards.requireRole('god'), schema: { response: { 200: Type.Object({ welcome: Type.Boolean() }) } } },
    async () => ({ welcome: true }),
  );
}
