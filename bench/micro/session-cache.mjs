// The in-process session cache's own cost per lookup (src/stores/memory/cached-session-store.ts), without HTTP:
// a hit on a session read again and again (kept decoded), a hit on one of 100k sessions read once each (unpacked
// from its packed entry), and the anomaly check's countries of a user's four cached sessions (read from the packed
// entries in place). Run after `npm run build`:
//   node bench/micro/session-cache.mjs [path to a built checkout; default: this one]
// Pointed at a worktree of an older commit it measures that commit's cache the same way (issue 18's before/after).
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? new URL('../..', import.meta.url).pathname);
const load = (path) => import(pathToFileURL(resolve(root, 'dist', path)).href);
const { TrackedCache } = await load('stores/memory/tracked-cache.js');
const { CachedSessionStore } = await load('stores/memory/cached-session-store.js');
const { RedisSessionCodec } = await load('stores/redis/redis-session-codec.js');
const { methodSet } = await load('core/session.js');

const SESSIONS = 100_000;
const PER_USER = 4;
const USERS = SESSIONS / PER_USER;
const HOT = 10;
const HOT_READS = 2_000_000;
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

// An inner store that answers as the Redis store does: each read decodes a fresh record.
const codec = new RedisSessionCodec();
const records = new Map();
const byUser = new Map();
const now = Date.now();
for (let i = 0; i < SESSIONS; i++) {
  const tokenHash = randomBytes(32).toString('base64url');
  const userId = `user-${i % USERS}`;
  const createdAt = now - 1_000;
  records.set(
    tokenHash,
    codec.encode({
      id: randomBytes(16).toString('base64url'),
      tokenHash,
      userId,
      kind: 'cookie',
      userVersion: 1,
      createdAt,
      lastSeenAt: createdAt + 12,
      idleExpiresAt: createdAt + 12 + 604_800_000,
      absoluteExpiresAt: createdAt + 2_592_000_000,
      idleTimeoutMs: 604_800_000,
      rememberMe: false,
      ip: `10.0.${i % 200}.1`,
      userAgent: UA,
      browser: null,
      os: null,
      country: 'SE',
      csrfToken: randomBytes(16).toString('base64url'),
      provider: null,
      authenticatedAt: createdAt,
      methods: methodSet(['password']),
      deviceKey: null,
    }),
  );
  const listed = byUser.get(userId) ?? [];
  listed.push(tokenHash);
  byUser.set(userId, listed);
}
const inner = {
  async findByTokenHash(hash) {
    const raw = records.get(hash);
    return raw ? codec.decode(hash, raw) : null;
  },
  async listForUser(userId) {
    return (byUser.get(userId) ?? []).map((hash) => codec.decode(hash, records.get(hash)));
  },
};
const coherence = { isLive: () => true, listen: () => () => {} };
const store = new CachedSessionStore(inner, {
  sessions: new TrackedCache(coherence, { maxEntries: SESSIONS }),
  lists: new TrackedCache(coherence, { maxEntries: SESSIONS }),
  idKey: (id) => `sid:${id}`,
});
const hashes = [...records.keys()];
for (const hash of hashes) await store.findByTokenHash(hash);
for (let u = 0; u < USERS; u++) await store.listForUser(`user-${u}`);

async function timed(count, body) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await body(i);
  return Number(process.hrtime.bigint() - started) / count;
}

console.log(`cache at ${root}`);
for (let round = 1; round <= 3; round++) {
  const hot = await timed(HOT_READS, (i) => store.findByTokenHash(hashes[i % HOT]));
  const cold = await timed(SESSIONS, (i) => store.findByTokenHash(hashes[i]));
  const countries = await timed(USERS, (u) => store.countriesForUser(`user-${u}`, Date.now()));
  console.log(
    `round ${round}: hit, session read again and again ${hot.toFixed(0)} ns; hit, each of 100k once ` +
      `${(cold / 1000).toFixed(2)} µs; countries of a user's 4 sessions ${(countries / 1000).toFixed(2)} µs`,
  );
}
