import { dbscSection } from './dbsc-section.js';
import type { Derived, ReadRow } from './derive.js';
import { fixed, int, ms, signed, table } from './format.js';
import type { LookupScaleResult, SignInRushResult } from './results.js';

export const CHARTS = [
  { file: 'cpu-per-request.svg', alt: 'Server CPU microseconds per authenticated request, per stack' },
  { file: 'throughput-vs-floor.svg', alt: 'Requests per second relative to bare Fastify, per stack' },
  { file: 'credential-bytes.svg', alt: 'Bytes of credential sent with every request, per stack' },
  { file: 'p99-same-load.svg', alt: 'p99 latency at the same fixed load' },
];

const APPROACH: Record<string, string> = {
  none: 'no auth',
  'stateful-sql': 'session, SQL lookup',
  'stateful-redis': 'session, Redis lookup',
  'stateful-cached': 'session, cached + invalidated',
  'stateless-token': 'stateless token',
  hybrid: 'access JWT + deny list',
};

function revocationCell(r: ReadRow): string {
  if (!r.revocation) return '—';
  if (r.revocation.immediate) return 'next request';
  return `after up to ${int(r.revocation.staleForSec ?? 0)} s`;
}

/** What the Bearer row measures: one access token sent again and again, as a client does for its 5 minutes. */
const BEARER_NOTE = `The Bearer row sends one access token on every request, as an API client does for the token's 5 minutes.
Its first request verifies the token in full with jose; Heimdall then remembers the exact string as verified and
skips only the signature check on later requests (never past its expiry, never once its key stops verifying; the
family, the deny list and the user are still read every time: [sessions.md](sessions.md)). The jose peers verify
every request. Verifying is what a cold token costs: jose checks through Web Crypto, which hands each signature to
libuv's thread pool and back, and that hop costs more CPU per token the fewer tokens are in flight together.
\`node bench/micro/jwt-verify.mjs\` measures CPU per token for node:crypto's bare Ed25519 check on the calling thread
and for jwtVerify with 1, 4 and 16 in flight.`;

/** Reads sorted cheapest first: the floor, then by CPU per request. */
export function sortedReads(d: Derived): ReadRow[] {
  return [...d.rows].sort(
    (a, b) => Number(b.floor) - Number(a.floor) || a.saturation.cpuUsPerReq - b.saturation.cpuUsPerReq,
  );
}

export function readTable(d: Derived): string {
  return table(
    [
      'stack',
      'how it checks',
      'req/s',
      '× floor',
      'server CPU µs/req',
      'added µs/req',
      'p50',
      'p99',
      'credential bytes',
      'revocation bites',
    ],
    sortedReads(d).map((r) => [
      r.family === 'heimdall' ? `**${r.stack}**` : r.stack,
      APPROACH[r.approach] ?? r.approach,
      int(r.saturation.reqPerSec),
      fixed(r.ratio, 2),
      fixed(r.saturation.cpuUsPerReq) +
        (r.saturation.redisCpuUsPerReq !== undefined ? ` (+${fixed(r.saturation.redisCpuUsPerReq)} in Redis)` : ''),
      r.floor ? '—' : signed(r.addedUs),
      ms(r.saturation.p50Ms),
      ms(r.saturation.p99Ms),
      int(r.credential.bytes),
      revocationCell(r),
    ]),
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
}

/** The short table in the README: one line per stack. */
export function readmeTable(d: Derived): string {
  return table(
    ['stack', 'req/s', '× floor', 'server CPU µs/req', 'credential bytes'],
    sortedReads(d).map((r) => [
      r.family === 'heimdall' ? `**${r.stack}**` : r.stack,
      int(r.saturation.reqPerSec),
      fixed(r.ratio, 2),
      fixed(r.saturation.cpuUsPerReq),
      int(r.credential.bytes),
    ]),
    ['l', 'r', 'r', 'r', 'r'],
  );
}

export function runLine(d: Derived): string {
  const { environment: e, settings: s } = d.results;
  return (
    `Run of ${d.results.startedAt.slice(0, 16).replace('T', ' ')} UTC on Heimdall ${e.heimdallCommit}: ${e.cpuModel}, ` +
    `${e.cpus} CPUs, Node ${e.node}; server pinned to CPU ${s.serverCpu ?? 'none'}, autocannon on CPU ${s.loadCpu ?? 'none'}, ` +
    `${s.connections} connections, ${s.rounds} round${s.rounds === 1 ? '' : 's'} of ${s.warmupSec} s warm-up + ${s.durationSec} s, medians shown; ` +
    `machine load average ${e.loadAvgStart} at the start, ${e.loadAvgEnd} at the end.` +
    alternated(
      d,
      d.rows.filter((r) => d.windowOf(r.id) === -1).map((r) => r.id),
      'its reads',
    ) +
    (d.results.remeasured ?? [])
      .map(
        (r) =>
          ` Re-measured ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC on Heimdall ${r.heimdallCommit} (load average ${r.loadAvgStart} → ${r.loadAvgEnd}): ${r.scenarios.join(', ')}.` +
          alternated(d, r.scenarios, 'these'),
      )
      .join('')
  );
}

/**
 * Which of one measurement's reads had their rounds in alternation (not `--sequential`); `all` names them when every
 * one of `ids` did.
 */
function alternated(d: Derived, ids: string[], all: string): string {
  const together = ids.filter((id) => d.row(id)?.interleaved);
  if (together.length < 2) return '';
  const which = together.length === ids.length ? all : together.join(', ');
  return ` The rounds of ${which} alternated (each round of one, then of the next, in a rotating order), so they share the same minutes.`;
}

/** The profile of GET /api/session, with each share turned into µs of the measured (unprofiled) CPU per request. */
export function profileTable(d: Derived): string {
  const p = d.profile;
  if (!p) return '';
  const perRequest = d.row('heimdall-session-sqlite')?.saturation.cpuUsPerReq;
  return (
    `A V8 CPU profile of ${p.route} at saturation (${int(p.busyMs)} ms of busy samples over the measured window; idle left out)` +
    `${perRequest ? `, each share also shown as µs of the ${fixed(perRequest)} µs per request measured without the profiler` : ''}.\n\n` +
    table(
      ['component', 'share of CPU', ...(perRequest ? ['≈ µs/req'] : [])],
      p.components.map((c) => [
        c.name,
        `${fixed(c.share * 100)} %`,
        ...(perRequest ? [fixed(c.share * perRequest)] : []),
      ]),
      ['l', 'r', 'r'],
    )
  );
}

/** How much other work on the (shared) machine leaked into the kept rounds, from the per-round records. */
export function interferenceLine(d: Derived): string {
  const rounds = d.results.scenarios.flatMap((s) => {
    if (s.kind === 'read') return [...s.saturation.rounds, ...(s.sameLoad?.rounds ?? [])];
    if (s.kind === 'login') return s.saturation.rounds;
    if (s.kind === 'login-storm') return [...s.calm.rounds, ...s.storm.rounds];
    if (s.kind === 'sign-in-rush') return [...s.solo.rounds, ...s.calm.rounds, ...s.rush.rounds];
    if (s.kind === 'lookup-scale') return s.points.flatMap((p) => p.saturation.rounds);
    return [];
  });
  const shares = rounds.map((r) => r.otherLoadOnServerCpu).filter((v): v is number => v !== undefined);
  if (!shares.length) return '';
  const threshold = d.results.settings.disturbedShare ?? 0.1;
  const repeats = d.results.settings.maxRepeats ?? 5;
  const disturbed = shares.filter((v) => v > threshold).length;
  return (
    `Other processes on this shared machine used the server's CPU too: a round in which they took more than ${fixed(threshold * 100, 0)} % of it ` +
    `was repeated (up to ${int(repeats)} times per measurement); ${int(disturbed)} of the ${int(shares.length)} kept rounds still ` +
    `exceeded that (worst ${fixed(Math.max(...shares) * 100, 0)} %). CPU µs per request moves far less with such ` +
    `interference than req/s and latencies, which it can dominate.`
  );
}

/** Memory for 100k sessions in the client-side cache, phase by phase. */
function cacheMemorySection(d: Derived): string {
  const c = d.cacheMemory!;
  const caches = [...new Set(c.phases.flatMap((p) => Object.keys(p.entries)))];
  const mib = (bytes: number | undefined) => (bytes === undefined ? '—' : `${fixed(bytes / 2 ** 20)} MiB`);
  const last = c.phases.at(-1)!;
  const base = c.phases[0]!;
  return (
    `## Memory for sessions in the client-side cache (Redis)\n\n` +
    `${int(c.sessions)} sessions (${c.sessionsPerUser} per user) written to Redis as sign-ins write them, then each read ` +
    `through ${c.route} with \`CACHE_MAX_ENTRIES=${int(c.maxEntries)}\`` +
    (c.warmUpSessions === undefined
      ? ''
      : `, after a warm-up of ${int(c.warmUpSessions)} sessions of as many other users that leaves every bounded memo ` +
        `(sessions kept decoded, session and user views, anomaly warnings) full at the baseline, so that the difference ` +
        `counts what grows with sessions`) +
    `; memory is read after full garbage ` +
    `collections. What the cache holds is the JavaScript heap in use: **${fixed(c.heapPer100kMiB)} MiB per 100k ` +
    `sessions** (${int(c.heapBytesPerSession)} bytes each over the ${int(c.addedSessions)} sessions added): the ` +
    `session packed into one string under its token hash (the 4,096 most recently read are also kept decoded, so a ` +
    `session read on every request is not decoded per request; the all-hits phase below decodes each one it reads), ` +
    `the user's cached session list (token hashes only, read for the anomaly warnings), the ` +
    `user record shared by the user's sessions, and the maps' own overhead. The process's RSS grew more, ` +
    `${fixed(c.rssPer100kMiB)} MiB per 100k (${int(c.bytesPerSession)} bytes each), because it also counts heap space ` +
    `V8 committed while the 100k misses churned through garbage and has not handed back yet (heap committed, not in ` +
    `use); RSS was ${mib(last.rssBytes)} (baseline ${mib(base.rssBytes)}) after the cache had turned over. ` +
    `The bound holds: reading more sessions than \`CACHE_MAX_ENTRIES\` drops the oldest, and the entry counts stay at the bound.\n\n` +
    table(
      ['after', 'RSS', 'heap used', 'heap committed', ...caches.map((name) => `${name} entries`), 'server CPU µs/req'],
      c.phases.map((p) => [
        p.label,
        mib(p.rssBytes),
        mib(p.heapUsedBytes),
        mib(p.heapTotalBytes),
        ...caches.map((name) => int(p.entries[name] ?? 0)),
        p.cpuUsPerReq === null ? '—' : fixed(p.cpuUsPerReq),
      ]),
      ['l', 'r', 'r', 'r', ...caches.map(() => 'r' as const), 'r'],
    )
  );
}

/** Redis `MEMORY USAGE` per key kind, and how it relates to the used_memory figure above it. */
function keyUsageSection(d: Derived): string {
  const usage = d.redisStorage?.keyUsage;
  if (!usage?.length) return '';
  const sum = usage.reduce((total, k) => total + k.bytesPerSession, 0);
  return (
    `\n\nThe same Redis afterwards, key by key (\`MEMORY USAGE … SAMPLES 0\` of every key Heimdall keeps for sessions; ` +
    `issue 4's figure is the session record's):\n\n` +
    table(
      ['key', 'what', 'keys', 'median bytes', 'max bytes', 'bytes per session'],
      usage.map((k) => [
        `\`${k.key}\``,
        k.what,
        int(k.keys),
        int(k.medianBytes),
        int(k.maxBytes),
        fixed(k.bytesPerSession),
      ]),
      ['l', 'l', 'r', 'r', 'r', 'r'],
    ) +
    `\n\nThe keys add up to ${fixed(sum)} bytes per session. The used_memory figure (${int(d.redisStorage!.bytesPerSession)}) is ` +
    `larger because it also counts Redis' own bookkeeping, which \`MEMORY USAGE\` leaves out: each expiring key's entry ` +
    `in the expiry table (the record and its id key), the hash tables' slots (grown in powers of two), allocator rounding, ` +
    `and the client-tracking table${d.redisStorage!.trackedKeys ? ` (${int(d.redisStorage!.trackedKeys)} keys that Heimdall has read, and must be told about when they change)` : ''}.`
  );
}

export function targetsTable(d: Derived): string {
  const note =
    'Throughput targets are judged on CPU capacity (10⁶ ÷ server CPU µs per request: what one core can answer), the ' +
    'figure the method trusts; the req/s ratio, capped by the load generator and moved by other work on the machine, ' +
    'is shown beside it.';
  return `${table(
    ['issue', 'target', 'goal', 'measured', 'verdict', 'gap'],
    d.targets.map((t) => [
      String(t.issue),
      t.name,
      t.goal,
      t.measured,
      t.verdict === 'not measured' ? t.verdict : `**${t.verdict}**`,
      t.gap,
    ]),
  )}\n\n${note}`;
}

export function benchmarksMarkdown(d: Derived, resultsPath: string): string {
  const parts: string[] = [];
  parts.push(`# Benchmarks

<!-- Generated by bench/report/generate.ts from ${resultsPath}. Do not edit: run \`npm run bench\` (or \`npm run bench:docs\`). -->

${runLine(d)} ${interferenceLine(d)}${d.results.quick ? '\n\n**Quick run: windows too short to quote.**' : ''}

Method: every stack is a real server process on one CPU (\`taskset\`), the only one under load there (when reads
alternate, the others wait idle); autocannon runs in another process on the other CPU. The headline is **server CPU µs per request** (utime + stime of the server process from
\`/proc/<pid>/stat\` over the measured window ÷ requests answered): on a 2-core machine the req/s of the fastest
stacks is capped by the load generator, so CPU per request is the figure that compares. "× floor" is req/s relative
to bare Fastify answering fixed JSON. Credential bytes are the bytes of the \`Cookie\` or \`Authorization\` header value
sent with every request. See [evidence.md](evidence.md) for what the numbers mean.
`);
  parts.push(CHARTS.map((c) => `![${c.alt}](charts/${c.file})`).join('\n'));
  parts.push(
    `## Authenticated read, side by side\n\nEvery stack answers one authenticated GET (peers: \`GET /me\` with the same small user JSON; Heimdall: its real routes).\n\n${readTable(d)}`,
  );
  if (d.rows.some((r) => r.id === 'heimdall-bearer')) parts.push(BEARER_NOTE);

  const same = sortedReads(d).filter((r) => r.sameLoad);
  if (same.length) {
    parts.push(
      `## Latency at the same load\n\nPaced requests at a fixed ${int(same[0]!.sameLoad!.rate)} req/s (a request every 1/rate s over a keep-alive pool of the same connections).\n\n` +
        table(
          ['stack', 'p50', 'p99', 'server CPU µs/req'],
          same.map((r) => [r.stack, ms(r.sameLoad!.p50Ms), ms(r.sameLoad!.p99Ms), fixed(r.sameLoad!.cpuUsPerReq)]),
          ['l', 'r', 'r', 'r'],
        ),
    );
  }
  if (d.profile) {
    parts.push(`## Where Heimdall's CPU goes\n\n${profileTable(d)}`);
  }
  if (d.login) {
    const a = d.login.argon2;
    parts.push(
      `## Sign-in\n\nPOST /api/auth/login with argon2id at Heimdall's defaults (${int(a.memoryKiB)} KiB, ${a.iterations} passes, parallelism ${a.parallelism}), ${d.results.settings.connections} connections.\n\n` +
        table(
          ['logins/s', 'server CPU ms/login', 'p50', 'p99'],
          [
            [
              fixed(d.login.saturation.reqPerSec),
              fixed(d.login.saturation.cpuUsPerReq / 1000, 2),
              ms(d.login.saturation.p50Ms),
              ms(d.login.saturation.p99Ms),
            ],
          ],
          ['r', 'r', 'r', 'r'],
        ),
    );
  }
  if (d.storm) {
    const s = d.storm;
    parts.push(
      `## Reads during a login storm\n\nAnother user's GET /api/session paced at ${int(s.readRate)} req/s, alone and while ${d.results.settings.connections} connections sign one account in as fast as they can (${fixed(s.stormLoginsPerSec)} logins/s).\n\n` +
        table(
          ['reads', 'answered req/s', 'p50', 'p99'],
          [
            ['calm', fixed(s.calm.reqPerSec), ms(s.calm.p50Ms), ms(s.calm.p99Ms)],
            ['during the storm', fixed(s.storm.reqPerSec), ms(s.storm.p50Ms), ms(s.storm.p99Ms)],
          ],
          ['l', 'r', 'r', 'r'],
        ),
    );
  }
  if (d.rush) parts.push(rushSection(d.rush));
  const storage = [d.sqliteStorage, d.redisStorage].filter((s) => s !== undefined);
  if (storage.length) {
    parts.push(
      `## Bytes per stored session\n\n` +
        table(
          ['store', 'bytes per session', 'sessions measured', 'how'],
          storage.map((s) => [s.store, int(s.bytesPerSession), int(s.sessions), s.method]),
          ['l', 'r', 'r', 'l'],
        ) +
        keyUsageSection(d),
    );
  }
  if (d.cacheMemory) parts.push(cacheMemorySection(d));
  const dbsc = dbscSection(d);
  if (dbsc) parts.push(dbsc);
  if (d.scale) {
    parts.push(
      `## Lookup at scale (SQLite)\n\nThe same ${int(d.scale.activeSessions)} sessions read in rotation, with more or fewer stored${
        d.scale.sessionsPerUser
          ? ` (${d.scale.sessionsPerUser} per user at both sizes, so only the table grows)`
          : ' (1,000 users at both sizes: their session lists grew with the table, and are read for the anomaly warnings)'
      }.${
        d.scale.interleaved
          ? ' Both sizes are served at once from two copies of one database and measured in alternating rounds, after one uncounted round each, so a slow minute of the machine lands on both.'
          : ''
      }\n\n` +
        table(
          ['stored sessions', 'req/s', 'server CPU µs/req', 'p50', 'p99', 'bare SQL lookup p50', 'bare SQL lookup p99'],
          d.scale.points.map((p) => [
            int(p.stored),
            int(p.saturation.reqPerSec),
            fixed(p.saturation.cpuUsPerReq),
            ms(p.saturation.p50Ms),
            ms(p.saturation.p99Ms),
            `${fixed(p.sqlLookupUs.p50)} µs`,
            `${fixed(p.sqlLookupUs.p99)} µs`,
          ]),
          ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
        ) +
        scaleNote(d.scale),
    );
  }
  if (d.revocations.length) {
    parts.push(
      `## Revocation to refusal, two instances\n\nSign out on instance A while instance B is asked back to back; time from A's answer to B's first refusal.\n\n` +
        table(
          ['stores', 'trials', 'p50', 'p99', 'max', 'let in after the revocation'],
          d.revocations.map((r) => [
            r.store,
            int(r.trials),
            ms(r.latencyMs.p50),
            ms(r.latencyMs.p99),
            ms(r.latencyMs.max),
            int(r.staleAccepts),
          ]),
          ['l', 'r', 'r', 'r', 'r', 'r'],
        ),
    );
  }
  parts.push(`## Targets (issues 4, 6 and 18)\n\n${targetsTable(d)}`);
  if (d.notMeasured.length) {
    parts.push(
      `## Not measured in this run\n\n${d.notMeasured
        .map(
          (s) => `- \`${s.id}\` (${s.title}): ${s.kind === 'skipped' ? s.reason : `failed: ${s.error.split('\n')[0]}`}`,
        )
        .join('\n')}`,
    );
  }
  const peers = Object.entries(d.results.environment.peers);
  if (peers.length) parts.push(`## Versions\n\n${peers.map(([name, v]) => `\`${name}\` ${v}`).join(', ')}.`);
  return `${parts.join('\n\n')}\n`;
}

export const README_START = '<!-- bench:start (generated by bench/report/generate.ts; do not edit by hand) -->';
export const README_END = '<!-- bench:end -->';

export function readmeSection(d: Derived): string {
  return `${README_START}
${runLine(d)} ${interferenceLine(d)}

${readmeTable(d)}

${[CHARTS[0]!, CHARTS[2]!].map((c) => `![${c.alt}](docs/charts/${c.file})`).join('\n')}

All figures, the method, and the targets: [docs/benchmarks.md](docs/benchmarks.md); what they mean:
[docs/evidence.md](docs/evidence.md).
${README_END}`;
}

/** Issue 18's rush: reads calm and during many accounts' sign-ins, and the sign-ins themselves. */
function rushSection(s: SignInRushResult): string {
  return (
    `## Reads during a sign-in rush (many accounts)\n\nGET /api/session paced at ${int(s.readRate)} req/s, alone and while ${int(s.rushConnections)} connections sign in to ${int(s.accounts)} different accounts as fast as they can; one connection alone signs in ${fixed(s.solo.reqPerSec)} times a second. ` +
    `During the rush ${fixed(s.rushSignInsPerSec)} sign-ins/s succeeded (${fixed(s.rushSignInsPerSec / s.solo.reqPerSec, 2)} of one connection's rate) and ${fixed(s.rushShed * 100, 1)} % of the sign-in answers were 503 \`service_unavailable\` (the hashing queue full); ${int(s.readFailures)} reads were refused.\n\n` +
    table(
      ['reads', 'answered req/s', 'p50', 'p99'],
      [
        ['calm', fixed(s.calm.reqPerSec), ms(s.calm.p50Ms), ms(s.calm.p99Ms)],
        ['during the rush', fixed(s.rush.reqPerSec), ms(s.rush.p50Ms), ms(s.rush.p99Ms)],
      ],
      ['l', 'r', 'r', 'r'],
    )
  );
}

/** What the lookup-at-scale table shows, for runs made with the in-process cache in front of the table. */
function scaleNote(scale: LookupScaleResult): string {
  const first = scale.points[0];
  const last = scale.points.at(-1);
  if (!scale.interleaved || !first || !last || first === last) return '';
  return (
    `\n\nEach session's first request reads the table; later ones are answered from the in-process cache (kept ` +
    `coherent by PRAGMA data_version), so the CPU per request is mostly the cache's, and what the table's size ` +
    `costs is the bare SQL lookup (p50 ${fixed(first.sqlLookupUs.p50)} → ${fixed(last.sqlLookupUs.p50)} µs, timed ` +
    `once per size right after seeding, without the alternation), paid once per session and process.\n`
  );
}
