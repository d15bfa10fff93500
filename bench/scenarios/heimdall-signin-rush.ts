import { join } from 'node:path';
import { BENCH_PASSWORD, BROWSER_UA, registerUser, startHeimdall } from '../lib/heimdall.js';
import type { LoadResult } from '../lib/load.js';
import { loadSpec, measureThroughput } from '../lib/measure.js';
import { median, round } from '../lib/stats.js';
import type { SignInRushResult } from '../report/results.js';
import type { Scenario } from './types.js';

/** Accounts the rush signs in to, one connection each: a morning rush or a stuffing run spread over addresses. */
const ACCOUNTS = 16;

const shed = (r: LoadResult) => (r.responses ? (r.statusCodes['503'] ?? 0) / r.responses : 0);

/**
 * Issue 18: GET /api/session at a fixed rate, calm and while 16 connections sign in to 16 different accounts as fast
 * as they can, beside the sign-ins per second of one connection alone. Unlike the one-account storm, no account's
 * session list grows much, so what it shows is argon2's share of the core against everyone else's reads.
 */
export const heimdallSignInRush: Scenario = {
  id: 'heimdall-sign-in-rush',
  title: 'Heimdall GET /api/session p99 during a many-account sign-in rush',
  async run(ctx): Promise<SignInRushResult> {
    const heimdall = await startHeimdall({
      dataDir: join(ctx.tmpDir, 'heimdall'),
      env: { REGISTER_LIMIT_IP: '10000' },
    });
    try {
      const reader = await registerUser(heimdall, 'reader@asgard.example');
      const emails = Array.from({ length: ACCOUNTS }, (_, i) => `rush-${i}@asgard.example`);
      for (const email of emails) await registerUser(heimdall, email);
      const bodies = emails.map((email) => JSON.stringify({ email, password: BENCH_PASSWORD }));
      const signIn = {
        url: `${heimdall.baseUrl}/api/auth/login`,
        method: 'POST' as const,
        headers: { 'content-type': 'application/json', 'user-agent': BROWSER_UA },
        bodies,
      };
      const rounds = ctx.options.slowRounds;
      const { alongside: _s, ...solo } = await measureThroughput(
        ctx,
        'sign-ins, one connection',
        { server: heimdall.process, request: signIn },
        { rounds, connections: 1 },
      );
      const rate = ctx.options.sameLoadRate;
      const reads = {
        server: heimdall.process,
        request: {
          url: `${heimdall.baseUrl}/api/session`,
          headers: { cookie: reader.cookie, 'user-agent': BROWSER_UA },
        },
      };
      const { alongside: _c, ...calm } = await measureThroughput(ctx, `reads at ${rate} req/s, calm`, reads, {
        rate,
        rounds,
      });
      const rushLoad = loadSpec(ctx, signIn, { connections: ACCOUNTS });
      const { alongside, ...rush } = await measureThroughput(ctx, `reads at ${rate} req/s, sign-in rush`, reads, {
        rate,
        rounds,
        alongside: [rushLoad],
      });
      const rushes = alongside.map((others) => others[0]).filter((r): r is LoadResult => r !== undefined);
      return {
        kind: 'sign-in-rush',
        id: this.id,
        title: this.title,
        readRate: rate,
        accounts: ACCOUNTS,
        rushConnections: ACCOUNTS,
        solo,
        calm,
        rush,
        rushSignInsPerSec: round(median(rushes.map((r) => r.reqPerSec)), 1),
        rushShed: round(median(rushes.map(shed)), 4),
        rushOtherFailures: rushes.reduce((t, r) => t + r.non2xx - (r.statusCodes['503'] ?? 0) + r.errors, 0),
        readFailures: rush.rounds.reduce((t, r) => t + r.non2xx + r.errors, 0),
      };
    } finally {
      await heimdall.stop();
    }
  },
};
