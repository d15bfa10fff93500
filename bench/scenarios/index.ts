import { heimdallCacheMemory } from './heimdall-cache-memory.js';
import { heimdallSessionBound } from './heimdall-dbsc.js';
import { heimdallDbscRefresh } from './heimdall-dbsc-refresh.js';
import { heimdallLogin, heimdallLoginStorm } from './heimdall-login.js';
import { heimdallSessionProfile } from './heimdall-profile.js';
import {
  heimdallBearer,
  heimdallForwardAuth,
  heimdallHealth,
  heimdallRole,
  heimdallSessionRedis,
  heimdallSessionRedisCached,
  heimdallSessionSqlite,
  heimdallSessionSqliteRequestLogs,
} from './heimdall-reads.js';
import { heimdallRedisStorage } from './heimdall-redis-storage.js';
import { heimdallRevocationRedis, heimdallRevocationSqlite } from './heimdall-revocation.js';
import { heimdallSignInRush } from './heimdall-signin-rush.js';
import { heimdallLookupScale, heimdallSqliteStorage } from './heimdall-storage.js';
import {
  answerFastify,
  answerNode,
  bareExpress,
  bareFastify,
  bareNode,
  betterAuth,
  betterAuthCookieCache,
  expressSessionRedis,
  fastifySessionRedis,
  joseEdDsa,
  joseEs256,
  joseHs256,
} from './peer-reads.js';
import type { Scenario } from './types.js';

/** Every scenario, in the order a run measures them (the floor first). Add new ones here. */
export const SCENARIOS: Scenario[] = [
  bareFastify,
  bareNode,
  answerFastify,
  answerNode,
  bareExpress,
  heimdallHealth,
  heimdallSessionSqlite,
  heimdallSessionSqliteRequestLogs,
  heimdallSessionBound,
  heimdallDbscRefresh,
  heimdallRole,
  heimdallSessionRedisCached,
  heimdallSessionRedis,
  heimdallBearer,
  heimdallForwardAuth,
  expressSessionRedis,
  fastifySessionRedis,
  betterAuth,
  betterAuthCookieCache,
  joseHs256,
  joseEdDsa,
  joseEs256,
  heimdallSessionProfile,
  heimdallLogin,
  heimdallLoginStorm,
  heimdallSignInRush,
  heimdallSqliteStorage,
  heimdallRedisStorage,
  heimdallLookupScale,
  heimdallRevocationSqlite,
  heimdallRevocationRedis,
  heimdallCacheMemory,
];
