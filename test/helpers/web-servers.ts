import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServices, type Services } from '../../src/app/build-services.js';
import type { Config } from '../../src/config/config.js';
import type { Clock } from '../../src/core/clock.js';
import { buildApp } from '../../src/http/app.js';
import { BUNDLED_WEB_DIR } from '../../src/http/plugins/web-app-plugin.js';
import { onFreePort } from './free-port.js';
import { testConfig } from './test-config.js';

/** What reached Heimdall: enough to tell whether a browser sent the session cookie along. */
export interface SeenRequest {
  method: string;
  url: string;
  origin: string | undefined;
  secFetchSite: string | undefined;
  hadSessionCookie: boolean;
}

export interface RunningHeimdall {
  app: FastifyInstance;
  services: Services;
  config: Config;
  port: number;
  /** http://localhost:<port>: the host name browsers treat as a secure context and one site with its ports. */
  origin: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

function listenOn(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export function requireBuiltWebApp(): void {
  if (!existsSync(join(BUNDLED_WEB_DIR, 'index.html'))) {
    throw new Error(`The web app is not built (${BUNDLED_WEB_DIR}); run npm run build first.`);
  }
}

/**
 * In an env value, the port Heimdall will listen on: `{ PORT: OWN_PORT, HEIMDALL_PUBLIC_URL:
 * \`http://localhost:${OWN_PORT}\` }` lets the public URL name it (WebAuthn checks the origin).
 */
export const OWN_PORT = '{port}';

/**
 * Heimdall over real sockets on a free loopback port (SQLite in memory, the real clock unless given one). With `PORT`
 * in `env` it listens on that port; with `PORT: OWN_PORT`, on one chosen before it starts (again on another if that
 * one is taken meanwhile), named wherever OWN_PORT appears in `env`.
 */
export function startHeimdall(
  env: Record<string, string> = {},
  options: { clock?: Clock } = {},
): Promise<RunningHeimdall> {
  if (env.PORT !== OWN_PORT) return startWith(env, options);
  return onFreePort((port) =>
    startWith(
      Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll(OWN_PORT, String(port))])),
      options,
    ),
  );
}

async function startWith(env: Record<string, string>, options: { clock?: Clock }): Promise<RunningHeimdall> {
  const config = testConfig(env);
  const services = await buildServices(config, options);
  const app = await buildApp(services, config, { logger: false });
  const seen: SeenRequest[] = [];
  // On the raw server, so requests that Heimdall's own hooks refuse early are recorded too.
  app.server.prependListener('request', (request: IncomingMessage) => {
    seen.push({
      method: request.method ?? '',
      url: request.url ?? '',
      origin: header(request.headers, 'origin'),
      secFetchSite: header(request.headers, 'sec-fetch-site'),
      hadSessionCookie: (request.headers.cookie ?? '').includes(`${config.cookieName}=`),
    });
  });
  try {
    await app.listen({ port: env.PORT ? config.port : 0, host: '127.0.0.1' });
  } catch (error) {
    await app.close();
    await services.close();
    throw error;
  }
  const port = (app.server.address() as AddressInfo).port;
  return {
    app,
    services,
    config,
    port,
    origin: `http://localhost:${port}`,
    seen,
    async close() {
      await app.close();
      await services.close();
    },
  };
}

/** Waits (with a deadline) until Heimdall holds at least `count` open event streams: the pages are listening. */
export async function waitForStreams(running: RunningHeimdall, count: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (running.services.streams.stats().streams < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} open event streams`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface StaticSite {
  origin: string;
  close(): Promise<void>;
}

/**
 * The built SPA on its own origin, as a static host would serve it: the API address written into its meta tag,
 * index.html for deep links.
 */
export async function startSpaHost(apiOrigin: () => string): Promise<StaticSite> {
  const built = readFileSync(join(BUNDLED_WEB_DIR, 'index.html'), 'utf8');
  const index = () =>
    built.replace(
      '<meta name="heimdall-api-url" content="" />',
      `<meta name="heimdall-api-url" content="${apiOrigin()}" />`,
    );
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent((request.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
    const file = join(BUNDLED_WEB_DIR, path);
    if (path !== '/' && file.startsWith(BUNDLED_WEB_DIR) && existsSync(file) && extname(file)) {
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(readFileSync(file));
      return;
    }
    response.writeHead(200, { 'content-type': TYPES['.html']! });
    response.end(index());
  });
  const port = await listenOn(server);
  return { origin: `http://localhost:${port}`, close: () => closeServer(server) };
}

/** A page on another site (127.0.0.1 is not the same site as localhost), serving fixed HTML at /. */
export async function startOtherSite(html: string): Promise<StaticSite> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': TYPES['.html']! });
    response.end(html);
  });
  const port = await listenOn(server);
  return { origin: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}
