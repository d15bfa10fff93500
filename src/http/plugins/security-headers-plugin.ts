import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Strict policy for the SPA and every API answer: scripts, styles and connections from our own origin only, no
 * plugins, no <base>, no framing (clickjacking), forms posting only to us.
 */
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  // HSTS is only meaningful, and only sent, over HTTPS (below).
  strictTransportSecurity: false,
};

const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * The headers helmet sets for these options, computed once. helmet decides the values; we only avoid asking it on
 * every request: @fastify/helmet rebuilds helmet's middleware per request, which measured about 18 µs of the
 * ~50 µs an authenticated read costs (docs/benchmarks.md), for the same constant answer every time.
 */
export function computeSecurityHeaders(options: HelmetOptions = HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => {});
  return headers;
}

let defaults: Record<string, string> | undefined;

/** The headers of HELMET_OPTIONS, computed on first use. */
export function securityHeaders(): Record<string, string> {
  defaults ??= computeSecurityHeaders();
  return defaults;
}

/**
 * What a JSON API answer needs (OWASP REST Security Cheat Sheet, "Security Headers"): no caching, no framing
 * (`frame-ancestors` and `X-Frame-Options`), no MIME sniffing, HSTS over HTTPS (added below). A CSP of
 * `default-src 'none'` (nothing loads if a browser ever renders one), no referrer and same-origin resource policy are
 * kept as defence in depth at no cost. Helmet's other headers (COOP, Origin-Agent-Cluster, X-DNS-Prefetch-Control,
 * X-Download-Options, X-Permitted-Cross-Domain-Policies, X-XSS-Protection) only matter to documents, and every one
 * is a header Node validates and writes on every answer (issue 18).
 */
export const API_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
});

/** The API's JSON routes (/api) and forward auth's bodiless answers; everything else may be a document. */
function isApiPath(url: string): boolean {
  return (
    (url.startsWith('/api') && (url.length === 4 || url[4] === '/' || url[4] === '?')) || url.startsWith('/auth/verify')
  );
}

/**
 * Sets the security headers on every answer (errors and 404s included): the API set on /api and forward auth, the
 * full helmet set on everything else (the web app's pages, downloads, JWKS), and HSTS when served over HTTPS.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  const documents = securityHeaders();
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(isApiPath(request.url) ? API_HEADERS : documents);
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
    done();
  });
}
