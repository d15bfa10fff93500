import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';

/** Where `npm run build` puts the SPA (web/dist), from src/http/plugins or dist/http/plugins alike. */
export const BUNDLED_WEB_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** File names under assets/ carry a content hash, so they never change and may be cached for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

function acceptsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

/**
 * Serves the SPA at / with the same strict CSP as the API (the build has no inline script or style), and
 * index.html for any other GET that asks for HTML (deep links such as /devices, reloads). /api and non-HTML requests
 * that match nothing keep getting the JSON 404. Returns false when the SPA has not been built.
 */
export async function installWebApp(app: FastifyInstance, webDir = BUNDLED_WEB_DIR): Promise<boolean> {
  if (!existsSync(join(webDir, 'index.html'))) {
    app.log.warn(`No web app at ${webDir} (run npm run build): serving the API only.`);
    return false;
  }
  await app.register(fastifyStatic, {
    root: webDir,
    // One route per built file, found at start; the fallback below answers everything else.
    wildcard: false,
    index: 'index.html',
    dotfiles: 'ignore',
    cacheControl: false,
    setHeaders(reply, path) {
      reply.header('cache-control', path.includes(`${sep}assets${sep}`) ? IMMUTABLE : 'no-cache');
    },
  });
  app.get(
    '/*',
    {
      // No params schema: the path is only compared, never used to open a file (TypeBox also trips over a key "*").
      // Hidden from OpenAPI: the SPA's pages are not API.
      schema: { hide: true, response: { 200: Type.String({ description: 'index.html' }) } },
    },
    async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      // Anything else is what it would be without this fallback: a 404, or a 405 for a path routed for other
      // methods (the not-found handler decides).
      if (path === '/api' || path.startsWith('/api/') || !acceptsHtml(request)) return reply.callNotFound();
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html');
    },
  );
  return true;
}
