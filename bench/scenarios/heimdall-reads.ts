import { join } from 'node:path';
import {
  BENCH_PASSWORD,
  BROWSER_UA,
  type HeimdallInstance,
  loginUser,
  registerUser,
  type SignedIn,
  startHeimdall,
} from '../lib/heimdall.js';
import { postJson, request } from '../lib/net.js';
import type { RedisServer } from '../lib/redis.js';
import { type ReadScenarioDefinition, type ReadTarget, readScenario, ScenarioSkipped } from './read-scenario.js';
import { heimdallRedisUnsupported } from './redis-probe.js';
import type { BenchContext } from './types.js';

const IMMEDIATE = { immediate: true, note: 'every request reads the session and roles from the store' };

interface Launched {
  heimdall: HeimdallInstance;
  user: SignedIn;
  redis?: RedisServer;
}

/** Heimdall with a fresh database, one registered user (the first: admin) and, when asked, on the run's Redis. */
async function launchHeimdall(ctx: BenchContext, env: Record<string, string> = {}, redis = false): Promise<Launched> {
  const server = redis ? await ctx.redis() : undefined;
  if (server) await server.command('FLUSHALL');
  const heimdall = await startHeimdall({
    dataDir: join(ctx.tmpDir, 'heimdall'),
    env: { ...env, ...(server ? { REDIS_URL: server.url } : {}) },
  });
  try {
    const user = await registerUser(heimdall, 'odin@asgard.example');
    return { heimdall, user, ...(server ? { redis: server } : {}) };
  } catch (error) {
    await heimdall.stop();
    throw error;
  }
}

function target(launched: Launched, path: string, headers: Record<string, string>, accept: ReadTarget['accept']) {
  return {
    server: launched.heimdall.process,
    ...(launched.redis ? { redis: launched.redis.process } : {}),
    url: `${launched.heimdall.baseUrl}${path}`,
    headers: { 'user-agent': BROWSER_UA, ...headers },
    accept,
    stop: () => launched.heimdall.stop(),
  } satisfies ReadTarget;
}

const sessionRead = (
  definition: Omit<ReadScenarioDefinition, 'launch' | 'family'>,
  env: Record<string, string>,
  redis: boolean,
) =>
  readScenario({
    ...definition,
    family: 'heimdall',
    ...(redis ? { unavailable: heimdallRedisUnsupported } : {}),
    async launch(ctx) {
      const launched = await launchHeimdall(ctx, env, redis);
      return target(
        launched,
        '/api/session',
        { cookie: launched.user.cookie },
        (status, body) => status === 200 && body.includes('odin@asgard.example'),
      );
    },
  });

/** Unauthenticated GET /api/health: Heimdall's own floor (it still runs the store's health probe). */
export const heimdallHealth = readScenario({
  id: 'heimdall-health',
  title: 'Heimdall GET /api/health, no credential',
  stack: 'Heimdall, unauthenticated /api/health',
  family: 'heimdall',
  approach: 'none',
  sameLoad: true,
  async launch(ctx) {
    const launched = await launchHeimdall(ctx);
    return target(launched, '/api/health', {}, (status) => status === 200);
  },
});

export const heimdallSessionSqlite = sessionRead(
  {
    id: 'heimdall-session-sqlite',
    title: 'Heimdall GET /api/session, sessions in SQLite (the embedded default)',
    stack: 'Heimdall, SQLite (default)',
    approach: 'stateful-sql',
    revocation: IMMEDIATE,
    sameLoad: true,
  },
  {},
  false,
);

/** The default again with LOG_REQUESTS=true: what a log line as each request comes in and one as it leaves cost. */
export const heimdallSessionSqliteRequestLogs = sessionRead(
  {
    id: 'heimdall-session-sqlite-request-logs',
    title: 'Heimdall GET /api/session, SQLite, with LOG_REQUESTS=true (two pino lines per request to a pipe)',
    stack: 'Heimdall, SQLite, request logs on',
    approach: 'stateful-sql',
    revocation: IMMEDIATE,
  },
  { LOG_REQUESTS: 'true' },
  false,
);

/** Sessions in Redis, every read served from the client-side cache (invalidated by Redis on change). */
export const heimdallSessionRedisCached = sessionRead(
  {
    id: 'heimdall-session-redis-cached',
    title: 'Heimdall GET /api/session, sessions in Redis with the client-side cache',
    stack: 'Heimdall, Redis + client-side cache',
    approach: 'stateful-cached',
    revocation: { immediate: true, note: 'Redis pushes an invalidation to every instance that cached the session' },
    sameLoad: true,
  },
  {},
  true,
);

export const heimdallSessionRedis = sessionRead(
  {
    id: 'heimdall-session-redis',
    title: 'Heimdall GET /api/session, sessions in Redis, client-side cache off',
    stack: 'Heimdall, Redis (no cache)',
    approach: 'stateful-redis',
    revocation: IMMEDIATE,
  },
  { REDIS_CLIENT_CACHE: 'false' },
  true,
);

/** The seeds' example: only gods enter Valhalla, and the role is read fresh on every request. */
export const heimdallRole = readScenario({
  id: 'heimdall-role-sqlite',
  title: 'Heimdall GET /api/demo/valhalla as a god (role check), SQLite',
  stack: 'Heimdall, role-protected route',
  family: 'heimdall',
  approach: 'stateful-sql',
  revocation: { immediate: true, note: 'a demotion bites on the next request' },
  async launch(ctx) {
    const launched = await launchHeimdall(ctx);
    try {
      // The first account is the admin; Odin is the second, made a god with the CLI.
      await registerUser(launched.heimdall, 'odin.god@asgard.example');
      await launched.heimdall.cli(['user', 'roles', 'odin.god@asgard.example', 'user', 'god']);
      const odin = await loginUser(launched.heimdall, 'odin.god@asgard.example');
      return target(
        launched,
        '/api/demo/valhalla',
        { cookie: odin.cookie },
        (status, body) => status === 200 && body.includes('welcome'),
      );
    } catch (error) {
      await launched.heimdall.stop();
      throw error;
    }
  },
});

/** Hybrid tokens (API.md "Tokens"): an access JWT in Authorization: Bearer on GET /api/session. */
export const heimdallBearer = readScenario({
  id: 'heimdall-bearer',
  title: 'Heimdall GET /api/session with a Bearer access JWT',
  stack: 'Heimdall, Bearer access JWT',
  family: 'heimdall',
  approach: 'hybrid',
  revocation: { immediate: true, note: 'revoking the token family puts its sid on a deny list checked per request' },
  async launch(ctx) {
    const launched = await launchHeimdall(ctx);
    try {
      const issued = await postJson(`${launched.heimdall.baseUrl}/api/tokens`, {
        email: 'odin@asgard.example',
        password: BENCH_PASSWORD,
      });
      if (issued.status === 404) throw new ScenarioSkipped('POST /api/tokens does not exist yet (hybrid tokens)');
      // The access token lives 5 minutes; an interleaved run refreshes it (same family, rotated refresh token)
      // before each round.
      let refreshToken = '';
      const bearer = (response: typeof issued) => {
        if (response.status !== 200) throw new Error(`Bearer token: ${response.status} ${response.body}`);
        const tokens = response.json<{ accessToken: string; refreshToken: string }>();
        refreshToken = tokens.refreshToken;
        return { authorization: `Bearer ${tokens.accessToken}` };
      };
      const read = target(launched, '/api/session', bearer(issued), (status) => status === 200);
      const renew = async () =>
        bearer(await postJson(`${launched.heimdall.baseUrl}/api/tokens/refresh`, { refreshToken }));
      return { ...read, renew };
    } catch (error) {
      await launched.heimdall.stop();
      throw error;
    }
  },
});

/** Forward auth for reverse proxies (API.md "Forward auth"): GET /auth/verify with the session cookie. */
export const heimdallForwardAuth = readScenario({
  id: 'heimdall-forward-auth',
  title: 'Heimdall GET /auth/verify (forward auth), SQLite',
  stack: 'Heimdall, forward auth /auth/verify',
  family: 'heimdall',
  approach: 'stateful-sql',
  revocation: IMMEDIATE,
  async launch(ctx) {
    const launched = await launchHeimdall(ctx);
    const probe = await request(`${launched.heimdall.baseUrl}/auth/verify`, {
      headers: { cookie: launched.user.cookie },
    });
    if (probe.status === 404) {
      await launched.heimdall.stop();
      throw new ScenarioSkipped('GET /auth/verify does not exist yet (forward auth)');
    }
    return target(launched, '/auth/verify', { cookie: launched.user.cookie }, (status) => status === 204);
  },
});
