import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_PASSWORD, BROWSER_UA, registerUser, startHeimdall } from '../lib/heimdall.js';
import { loadSpec, measureThroughput } from '../lib/measure.js';
import { fromRoot } from '../lib/paths.js';
import { round } from '../lib/stats.js';
import type { LoginResult, LoginStormResult } from '../report/results.js';
import type { BenchContext, Scenario } from './types.js';

/** The argon2id parameters Heimdall uses when none are configured (src/core/passwords.ts), read from its build. */
async function defaultArgon2(): Promise<LoginResult['argon2']> {
  const module = (await import(pathToFileURL(fromRoot('dist', 'core', 'passwords.js')).href)) as {
    DEFAULT_ARGON2_PARAMS: { memoryCost: number; timeCost: number; parallelism: number };
  };
  const params = module.DEFAULT_ARGON2_PARAMS;
  return { memoryKiB: params.memoryCost, iterations: params.timeCost, parallelism: params.parallelism };
}

async function launch(ctx: BenchContext) {
  const heimdall = await startHeimdall({ dataDir: join(ctx.tmpDir, 'heimdall') });
  try {
    await registerUser(heimdall, 'odin@asgard.example');
    // The reads are another user's: the storm signs odin in again and again, and SESSION_MAX_PER_USER ends his
    // oldest sessions, as it should; the question is what the storm does to everyone else.
    const user = await registerUser(heimdall, 'frigg@asgard.example');
    const login = {
      url: `${heimdall.baseUrl}/api/auth/login`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', 'user-agent': BROWSER_UA },
      body: JSON.stringify({ email: 'odin@asgard.example', password: BENCH_PASSWORD }),
    };
    return { heimdall, user, login };
  } catch (error) {
    await heimdall.stop();
    throw error;
  }
}

/** Sign-ins per second with the default argon2id parameters, 10 connections signing in as fast as they can. */
export const heimdallLogin: Scenario = {
  id: 'heimdall-login',
  title: 'Heimdall POST /api/auth/login (argon2id, default parameters)',
  async run(ctx): Promise<LoginResult> {
    const { heimdall, login } = await launch(ctx);
    try {
      const { alongside: _a, ...saturation } = await measureThroughput(
        ctx,
        'logins',
        { server: heimdall.process, request: login },
        { rounds: ctx.options.slowRounds },
      );
      return { kind: 'login', id: this.id, title: this.title, argon2: await defaultArgon2(), saturation };
    } finally {
      await heimdall.stop();
    }
  },
};

/**
 * Another user's authenticated reads at a fixed rate, first alone, then while 10 connections sign one account in as
 * fast as they can: what a burst of argon2id work on the same core does to everyone else's p99.
 */
export const heimdallLoginStorm: Scenario = {
  id: 'heimdall-login-storm',
  title: 'Heimdall GET /api/session p99 during a login storm',
  async run(ctx): Promise<LoginStormResult> {
    const { heimdall, user, login } = await launch(ctx);
    try {
      const rate = ctx.options.sameLoadRate;
      const reads = {
        server: heimdall.process,
        request: { url: `${heimdall.baseUrl}/api/session`, headers: { cookie: user.cookie, 'user-agent': BROWSER_UA } },
      };
      const { alongside: _a, ...calm } = await measureThroughput(ctx, `reads at ${rate} req/s, calm`, reads, {
        rate,
        rounds: ctx.options.slowRounds,
      });
      const stormLoad = loadSpec(ctx, login);
      const { alongside, ...storm } = await measureThroughput(ctx, `reads at ${rate} req/s, login storm`, reads, {
        rate,
        rounds: ctx.options.slowRounds,
        alongside: [stormLoad],
      });
      const loginsPerSec = alongside.map((others) => others[0]?.reqPerSec ?? 0).sort((a, b) => a - b);
      return {
        kind: 'login-storm',
        id: this.id,
        title: this.title,
        readRate: rate,
        calm,
        storm,
        stormLoginsPerSec: round(loginsPerSec[Math.floor(loginsPerSec.length / 2)] ?? 0, 1),
      };
    } finally {
      await heimdall.stop();
    }
  },
};
