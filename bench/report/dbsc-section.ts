import type { Derived } from './derive.js';
import { fixed, int, ms, signed } from './format.js';

/**
 * What device binding (DBSC, issue 21) costs: a bound session's read beside the same read unbound, and the refresh
 * that keeps it bound. Null when the run measured neither.
 */
export function dbscSection(d: Derived): string | null {
  const bound = d.row('heimdall-session-bound');
  const plain = d.row('heimdall-session-sqlite');
  const refresh = d.dbscRefresh;
  if (!bound && !refresh) return null;
  const parts: string[] = [];
  if (bound && plain && d.sameWindow(bound.id, plain.id)) {
    const boundUs = bound.saturation.cpuUsPerReq;
    const plainUs = plain.saturation.cpuUsPerReq;
    parts.push(
      `A read of a bound session (GET /api/session, SQLite) costs ${fixed(boundUs)} µs of server CPU, against ${fixed(plainUs)} µs for the same read of a session that is not bound (${signed(boundUs - plainUs)} µs: the bound cookie and its check).`,
    );
  } else if (bound) {
    parts.push(
      `A read of a bound session (GET /api/session, SQLite) costs ${fixed(bound.saturation.cpuUsPerReq)} µs of server CPU; the same read of a session that is not bound was last measured at another time (see the reads table), and this machine's speed drifts too much between runs to subtract one from the other.`,
    );
  }
  if (refresh) {
    parts.push(
      `Keeping a session bound costs a refresh per bound-cookie lifetime (\`DBSC_COOKIE_TTL\`): the browser asks, gets a 403 with a challenge, and sends the proof signed with its device key. Measured over ${int(refresh.refreshes)} refreshes by ${refresh.concurrency} bound sessions at once, each refreshing again as soon as it was done: ${fixed(refresh.cpuUsPerRefresh)} µs of server CPU per refresh (both requests; the median round's), and ${ms(refresh.latencyMs.p50)} at p50, ${ms(refresh.latencyMs.p99)} at p99 per refresh as each browser saw it with ${refresh.concurrency} refreshing at once on the one core the server is pinned to (its own signing included).`,
    );
  }
  return `## Device-bound sessions (DBSC)\n\n${parts.join(' ')}`;
}
