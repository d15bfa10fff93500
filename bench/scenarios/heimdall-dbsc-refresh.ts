import { join } from 'node:path';
import { BROWSER_UA, type HeimdallInstance, startHeimdall } from '../lib/heimdall.js';
import { cookiesFrom, request } from '../lib/net.js';
import { median, percentileOfSorted, round } from '../lib/stats.js';
import type { DbscRefreshResult } from '../report/results.js';
import { type BoundSession, boundSession, dbscProof } from './heimdall-dbsc.js';
import type { Scenario } from './types.js';

/** Refreshes per session per round (after the run's warm-up time of unmeasured ones). */
const REFRESHES = { quick: 8, full: 100 };

/** One browser keeping its bound session: Chromium's refresh, the bound cookie it gets back kept for the next. */
function refresher(heimdall: HeimdallInstance, session: BoundSession): () => Promise<void> {
  let bound = session.boundCookie;
  const url = `${heimdall.baseUrl}/api/dbsc/refresh`;
  const headers = () => ({
    'user-agent': BROWSER_UA,
    cookie: `${session.sessionCookie}; ${bound}`,
    'sec-secure-session-id': `"${session.sessionId}"`,
  });
  return async () => {
    const asked = await request(url, { method: 'POST', headers: headers() });
    const challenge = /^"([^"]+)"/.exec(asked.headers.get('secure-session-challenge') ?? '')?.[1];
    if (asked.status !== 403 || !challenge) throw new Error(`refresh asked no challenge: ${asked.status}`);
    const proof = await dbscProof(challenge, session.privateKey);
    const proven = await request(url, {
      method: 'POST',
      headers: { ...headers(), 'secure-session-response': `"${proof}"` },
    });
    if (proven.status !== 200) throw new Error(`refresh refused: ${proven.status} ${proven.body}`);
    bound = cookiesFrom(proven);
    if (!bound) throw new Error('the refresh set no bound cookie');
  };
}

/**
 * What keeping device-bound sessions alive costs the server (issue 21): Chromium's refresh as it makes it — POST
 * /api/dbsc/refresh without a proof (403 and a challenge), then with the ES256 proof over that challenge (200, a new
 * bound cookie) — by as many bound sessions at once as the run has connections, each refreshing again as soon as it
 * is done. Server CPU per refresh counts both requests (the median of the run's rounds); the proofs are signed in the
 * harness, whose CPU is not counted. The time per refresh is the two round trips as one browser sees them, its own
 * signing included.
 */
export const heimdallDbscRefresh: Scenario = {
  id: 'heimdall-dbsc-refresh',
  title: 'Heimdall DBSC refresh: the challenge and the signed proof, SQLite',
  async run(ctx): Promise<DbscRefreshResult> {
    const heimdall = await startHeimdall({ dataDir: join(ctx.tmpDir, 'heimdall') });
    try {
      const concurrency = ctx.options.connections;
      const refreshers: Array<() => Promise<void>> = [];
      for (let i = 0; i < concurrency; i++) {
        refreshers.push(refresher(heimdall, await boundSession(heimdall, `browser${i}@asgard.example`)));
      }
      const count = ctx.options.quick ? REFRESHES.quick : REFRESHES.full;
      const times: number[] = [];
      // Every session refreshes one after another while `more(refreshesDone)` says so; `into` collects the times.
      const refreshAll = (more: (done: number) => boolean, into?: number[]) =>
        Promise.all(
          refreshers.map(async (refresh) => {
            for (let done = 0; more(done); done++) {
              const started = performance.now();
              await refresh();
              into?.push(performance.now() - started);
            }
          }),
        );
      // Warm-up by time, as the other scenarios: the server's code and the harness's signing both get faster at first.
      const warmUpEnds = performance.now() + Math.max(1, ctx.options.warmupSec * 2) * 1000;
      await refreshAll(() => performance.now() < warmUpEnds);
      const cpuPerRound: number[] = [];
      for (let r = 0; r < ctx.options.rounds; r++) {
        const cpuStart = heimdall.process.cpuTimeUs();
        await refreshAll((done) => done < count, times);
        cpuPerRound.push((heimdall.process.cpuTimeUs() - cpuStart) / (count * concurrency));
        ctx.progress.log(`round ${r + 1}: ${Math.round(cpuPerRound.at(-1)!)} µs server CPU per refresh`);
      }
      const cpuUsPerRefresh = round(median(cpuPerRound), 1);
      times.sort((a, b) => a - b);
      const latencyMs = { p50: round(percentileOfSorted(times, 50), 2), p99: round(percentileOfSorted(times, 99), 2) };
      const refreshes = count * concurrency * ctx.options.rounds;
      ctx.progress.log(
        `${refreshes} refreshes by ${concurrency} sessions at once: ${cpuUsPerRefresh} µs server CPU each (both requests, median round), p50 ${latencyMs.p50} ms, p99 ${latencyMs.p99} ms`,
      );
      return {
        id: this.id,
        title: this.title,
        kind: 'dbsc-refresh',
        refreshes,
        concurrency,
        cpuUsPerRefresh,
        latencyMs,
      };
    } finally {
      await heimdall.stop();
    }
  },
};
