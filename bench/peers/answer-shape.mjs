// What Heimdall's GET /api/session answers, without the session check: the same headers (a fresh request id on
// each) and a JSON body of the same shape and size, serialized on each request. The two "answer" peers send it
// from Fastify and from node:http alone, so the bench shows what the answer costs before anything is looked up.
import { randomUUID } from 'node:crypto';
import { API_HEADERS } from '../../dist/http/plugins/security-headers-plugin.js';
import { USER } from './common.mjs';

const at = '2026-12-04T09:26:03.832Z';

/** The body: Heimdall's session view for one signed-in user (API.md, GET /api/session). */
export const ANSWER = {
  user: {
    ...USER,
    roles: ['admin'],
    createdAt: at,
    emailVerified: false,
    secondFactors: [],
    disabled: false,
  },
  session: {
    id: 'r5x7THEE991Kpmw5zzU7VA',
    kind: 'cookie',
    createdAt: at,
    lastSeenAt: at,
    expiresAt: at,
    idleExpiresAt: at,
    ip: '127.0.0.1',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    browser: 'Chrome 156',
    os: 'Linux',
    country: null,
    provider: null,
    rememberMe: false,
    authenticatedAt: at,
    methods: ['password'],
    deviceBound: false,
  },
  csrfToken: 'WcZHHL3DysDGrq22Q-siPg',
  warnings: [],
  features: { products: true },
};

/**
 * The headers Heimdall sends on a JSON answer, in its order: its API set read from the built server (npm run build),
 * so the peer cannot drift from it, then the request id, Vary from CORS and the content type.
 */
export function answerHeaders() {
  return {
    ...API_HEADERS,
    'x-request-id': randomUUID(),
    vary: 'Origin',
    'content-type': 'application/json; charset=utf-8',
  };
}
