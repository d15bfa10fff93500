import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BROWSER_UA, registerUser, startHeimdall } from '../lib/heimdall.js';
import { measureThroughput } from '../lib/measure.js';
import { round } from '../lib/stats.js';
import { DATA_VERSION_CHECK, type ProfileResult } from '../report/results.js';
import type { Scenario } from './types.js';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  samples: number[];
  timeDeltas: number[];
  endTime: number;
  startTime: number;
}

/** Which part of the stack a profiled function belongs to: its npm package, Node itself, Heimdall, GC or native. */
function componentOf(frame: CpuProfile['nodes'][number]['callFrame']): string | null {
  const { url, functionName } = frame;
  if (functionName === '(idle)') return null;
  if (functionName === '(garbage collector)') return 'garbage collection';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  // The pragma's native work shows as its caller's own time: name it, it is the embedded default's coherence price.
  if (url.includes('/dist/')) return functionName === 'dataVersion' ? DATA_VERSION_CHECK : 'Heimdall code';
  if (url.startsWith('node:')) return 'Node.js (http, streams, crypto)';
  if (functionName === 'writev' || functionName === 'writeBuffer' || functionName === 'writeUtf8String') {
    return 'socket writes (native)';
  }
  return 'other native';
}

/**
 * Shares of busy time per component over the last `windowUs` of the profile — the measured window, which ends just
 * before the process exits — so start-up, sign-up and warm-up do not count.
 */
export function summariseProfile(
  profile: CpuProfile,
  windowUs: number,
  top = 9,
): { busyMs: number; components: ProfileResult['components'] } {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  const from = profile.endTime - windowUs;
  let at = profile.startTime;
  let busy = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from) return;
    const node = byNode.get(id);
    const component = node ? componentOf(node.callFrame) : null;
    if (!component) return;
    const dt = profile.timeDeltas[i] ?? 0;
    totals.set(component, (totals.get(component) ?? 0) + dt);
    busy += dt;
  });
  const sorted = [...totals].sort((a, b) => b[1] - a[1]);
  const components = sorted.slice(0, top).map(([name, t]) => ({ name, share: round(t / busy, 3) }));
  const rest = sorted.slice(top).reduce((sum, [, t]) => sum + t, 0);
  if (rest > 0) components.push({ name: 'everything else', share: round(rest / busy, 3) });
  return { busyMs: round(busy / 1000, 0), components };
}

/** A V8 CPU profile of Heimdall answering GET /api/session at saturation: where the per-request CPU goes. */
export const heimdallSessionProfile: Scenario = {
  id: 'heimdall-session-profile',
  title: 'Where the CPU goes: profile of GET /api/session (SQLite)',
  async run(ctx): Promise<ProfileResult> {
    const profileDir = join(ctx.tmpDir, 'profile');
    const heimdall = await startHeimdall({
      dataDir: join(ctx.tmpDir, 'heimdall'),
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    });
    try {
      const user = await registerUser(heimdall, 'odin@asgard.example');
      await measureThroughput(
        ctx,
        'profiling (figures distorted by the profiler, not reported)',
        {
          server: heimdall.process,
          request: {
            url: `${heimdall.baseUrl}/api/session`,
            headers: { cookie: user.cookie, 'user-agent': BROWSER_UA },
          },
        },
        { rounds: 1 },
      );
    } finally {
      // The profile is written when the process exits (graceful shutdown on SIGTERM).
      await heimdall.stop();
    }
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('node --cpu-prof wrote no profile');
    const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
    const summary = summariseProfile(profile, ctx.options.durationSec * 1_000_000);
    ctx.progress.log(summary.components.map((c) => `${c.name} ${(c.share * 100).toFixed(0)}%`).join(', '));
    return { kind: 'profile', id: this.id, title: this.title, route: 'GET /api/session', ...summary };
  },
};
