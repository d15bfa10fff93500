import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { cookiesFrom, postJson } from '../lib/net.js';
import { type RunningPeer, startPeer } from '../lib/peers.js';
import type { Approach, Revocation } from '../report/results.js';
import { type ReadTarget, readScenario } from './read-scenario.js';
import type { BenchContext } from './types.js';

/** Lifetime of the peers' JWTs: 15 minutes, the longest API.md allows Heimdall's own access tokens. */
export const JWT_TTL_SEC = 900;
/** better-auth's documented default cookie-cache age (5 minutes). */
export const BETTER_AUTH_COOKIE_CACHE_SEC = 300;

const USER_EMAIL = 'odin@asgard.example';
const STORE_LOOKUP: Revocation = { immediate: true, note: 'every request reads the session from the store' };

type Credential = (peer: RunningPeer) => Promise<Record<string, string>>;

interface PeerDefinition {
  id: string;
  title: string;
  stack: string;
  file: string;
  approach: Approach;
  revocation?: Revocation;
  floor?: boolean;
  sameLoad?: boolean;
  redis?: boolean;
  env?: (ctx: BenchContext) => Record<string, string>;
  credential?: Credential;
  /** The credential expires within minutes: sign in again before each interleaved round (ReadTarget.renew). */
  expires?: boolean;
}

const secret = () => randomBytes(32).toString('base64url');

/** POST /login, keep the cookies it sets. */
const cookieLogin: Credential = async (peer) => {
  const response = await postJson(`${peer.baseUrl}/login`, {});
  return { cookie: cookiesFrom(response) };
};

const bearerLogin: Credential = async (peer) => {
  const response = await postJson(`${peer.baseUrl}/login`, {});
  return { authorization: `Bearer ${response.json<{ token: string }>().token}` };
};

/** better-auth's own sign-in endpoint (with the Origin its CSRF check wants). */
const betterAuthLogin: Credential = async (peer) => {
  const response = await postJson(
    `${peer.baseUrl}/api/auth/sign-in/email`,
    { email: USER_EMAIL, password: 'bench horse battery staple 42' },
    { origin: peer.baseUrl },
  );
  if (response.status !== 200) throw new Error(`better-auth sign-in: ${response.status} ${response.body}`);
  return { cookie: cookiesFrom(response) };
};

function peerRead(definition: PeerDefinition) {
  return readScenario({
    id: definition.id,
    title: definition.title,
    stack: definition.stack,
    family: 'peer',
    approach: definition.approach,
    ...(definition.revocation ? { revocation: definition.revocation } : {}),
    ...(definition.floor ? { floor: true } : {}),
    ...(definition.sameLoad ? { sameLoad: true } : {}),
    async launch(ctx): Promise<ReadTarget> {
      await ctx.ensurePeers();
      const redis = definition.redis ? await ctx.redis() : undefined;
      if (redis) await redis.command('FLUSHALL');
      const peer = await startPeer(definition.file, {
        ...(redis ? { REDIS_URL: redis.url } : {}),
        ...definition.env?.(ctx),
      });
      try {
        const { credential } = definition;
        const headers = credential ? await credential(peer) : {};
        return {
          server: peer.process,
          ...(redis ? { redis: redis.process } : {}),
          url: `${peer.baseUrl}/me`,
          headers,
          accept: (status, body) => status === 200 && body.includes(USER_EMAIL),
          ...(definition.expires && credential ? { renew: () => credential(peer) } : {}),
          stop: () => peer.process.stop(),
        };
      } catch (error) {
        await peer.process.stop();
        throw error;
      }
    },
  });
}

export const bareFastify = peerRead({
  id: 'peer-bare-fastify',
  title: 'Bare Fastify 5, fixed JSON, no authentication (the floor)',
  stack: 'bare Fastify 5, no auth (floor)',
  file: 'bare-fastify.mjs',
  approach: 'none',
  floor: true,
  sameLoad: true,
});

/** Below the floor: node:http alone with the same fixed JSON (what Fastify itself adds to the floor). */
export const bareNode = peerRead({
  id: 'peer-bare-node',
  title: 'Bare node:http, fixed JSON, no framework, no authentication',
  stack: 'bare node:http, no auth',
  file: 'bare-node.mjs',
  approach: 'none',
});

/** Heimdall's answer (its headers, a body of its shape) with no session check, from Fastify and from node:http. */
export const answerFastify = peerRead({
  id: 'peer-answer-fastify',
  title: "Heimdall's /api/session answer (headers and body) from bare Fastify 5, no session check",
  stack: "Heimdall's answer alone, Fastify",
  file: 'answer-fastify.mjs',
  approach: 'none',
});

export const answerNode = peerRead({
  id: 'peer-answer-node',
  title: "Heimdall's /api/session answer (headers and body) from node:http alone, no session check",
  stack: "Heimdall's answer alone, node:http",
  file: 'answer-node.mjs',
  approach: 'none',
});

export const bareExpress = peerRead({
  id: 'peer-bare-express',
  title: 'Bare Express 5, fixed JSON, no authentication',
  stack: 'bare Express 5, no auth',
  file: 'bare-express.mjs',
  approach: 'none',
});

export const expressSessionRedis = peerRead({
  id: 'peer-express-session-redis',
  title: 'Express 5 + express-session + connect-redis 9',
  stack: 'Express 5 + express-session + connect-redis',
  file: 'express-session-redis.mjs',
  approach: 'stateful-redis',
  revocation: STORE_LOOKUP,
  redis: true,
  env: () => ({ SESSION_SECRET: secret() }),
  credential: cookieLogin,
});

export const fastifySessionRedis = peerRead({
  id: 'peer-fastify-session-redis',
  title: 'Fastify 5 + @fastify/session + Redis store',
  stack: 'Fastify + @fastify/session + Redis',
  file: 'fastify-session-redis.mjs',
  approach: 'stateful-redis',
  revocation: STORE_LOOKUP,
  redis: true,
  env: () => ({ SESSION_SECRET: secret() }),
  credential: cookieLogin,
});

export const betterAuth = peerRead({
  id: 'peer-better-auth',
  title: 'better-auth getSession, SQLite (better-sqlite3), in Fastify',
  stack: 'better-auth, SQLite',
  file: 'better-auth.mjs',
  approach: 'stateful-sql',
  revocation: STORE_LOOKUP,
  env: (ctx) => ({ BETTER_AUTH_SECRET: secret(), DATA_DIR: join(ctx.tmpDir), COOKIE_CACHE_SEC: '0' }),
  credential: betterAuthLogin,
});

export const betterAuthCookieCache = peerRead({
  id: 'peer-better-auth-cookie-cache',
  title: 'better-auth getSession with cookieCache, SQLite, in Fastify',
  stack: 'better-auth + cookieCache',
  file: 'better-auth.mjs',
  approach: 'stateless-token',
  revocation: {
    immediate: false,
    staleForSec: BETTER_AUTH_COOKIE_CACHE_SEC,
    note: 'the signed session cookie is believed until its cache age runs out',
  },
  env: (ctx) => ({
    BETTER_AUTH_SECRET: secret(),
    DATA_DIR: join(ctx.tmpDir),
    COOKIE_CACHE_SEC: String(BETTER_AUTH_COOKIE_CACHE_SEC),
  }),
  credential: betterAuthLogin,
  expires: true,
});

const jwtRevocation: Revocation = {
  immediate: false,
  staleForSec: JWT_TTL_SEC,
  note: 'a stolen or revoked token works until it expires',
};

const jose = (alg: 'HS256' | 'EdDSA' | 'ES256', detail: string) =>
  peerRead({
    id: `peer-jose-${alg.toLowerCase()}`,
    title: `Fastify 5 + jose jwtVerify ${alg} (${detail}), stateless`,
    stack: `Fastify + jose ${alg} (stateless JWT)`,
    file: 'jose-jwt.mjs',
    approach: 'stateless-token',
    revocation: jwtRevocation,
    sameLoad: alg === 'ES256',
    env: () => ({ JWT_ALG: alg, JWT_TTL_SEC: String(JWT_TTL_SEC) }),
    credential: bearerLogin,
    expires: true,
  });

export const joseHs256 = jose('HS256', 'key imported once');
export const joseEdDsa = jose('EdDSA', 'Ed25519');
export const joseEs256 = jose('ES256', 'P-256');
