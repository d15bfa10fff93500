import type { Session, SessionKind } from '../../core/session.js';

/**
 * A session as a JSON array by position (no field names: ~40 % fewer bytes per session in Redis). The token hash
 * is the key, so it is not repeated. Field 1 is the format version; Lua scripts index the array 1-based.
 */
type Encoded = [
  1,
  string, // 2 id
  string, // 3 userId
  string, // 4 kind
  number, // 5 userVersion
  number, // 6 createdAt
  number, // 7 lastSeenAt
  number, // 8 idleExpiresAt
  number, // 9 absoluteExpiresAt
  number, // 10 idleTimeoutMs
  0 | 1, // 11 rememberMe
  string, // 12 ip
  string, // 13 userAgent
  string | null, // 14 browser
  string | null, // 15 os
  string | null, // 16 country
  string, // 17 csrfToken
  string | null, // 18 provider
];

export function encodeSession(s: Session): string {
  const encoded: Encoded = [
    1,
    s.id,
    s.userId,
    s.kind,
    s.userVersion,
    s.createdAt,
    s.lastSeenAt,
    s.idleExpiresAt,
    s.absoluteExpiresAt,
    s.idleTimeoutMs,
    s.rememberMe ? 1 : 0,
    s.ip,
    s.userAgent,
    s.browser,
    s.os,
    s.country,
    s.csrfToken,
    s.provider,
  ];
  return JSON.stringify(encoded);
}

/** The session stored under `tokenHash`, or null for anything that is not a version-1 record. */
export function decodeSession(tokenHash: string, raw: string): Session | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value[0] !== 1 || value.length !== 18) return null;
  const e = value as Encoded;
  return {
    id: e[1],
    tokenHash,
    userId: e[2],
    kind: e[3] as SessionKind,
    userVersion: e[4],
    createdAt: e[5],
    lastSeenAt: e[6],
    idleExpiresAt: e[7],
    absoluteExpiresAt: e[8],
    idleTimeoutMs: e[9],
    rememberMe: e[10] === 1,
    ip: e[11],
    userAgent: e[12],
    browser: e[13],
    os: e[14],
    country: e[15],
    csrfToken: e[16],
    provider: e[17],
  };
}

/**
 * Touch in one atomic step that never resurrects a deleted session: rewrite activity fields of an existing record
 * and move its expiry to the earlier of idle and absolute expiry. cjson prints numbers with 14 significant digits,
 * exact for epoch milliseconds until the year 5138.
 */
export const TOUCH_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local s = cjson.decode(raw)
if s[1] ~= 1 then return 0 end
s[7] = tonumber(ARGV[1])
s[8] = tonumber(ARGV[2])
s[12] = ARGV[3]
s[16] = cjson.decode(ARGV[4])
local expiry = math.min(s[8], s[9])
redis.call('SET', KEYS[1], cjson.encode(s), 'PXAT', string.format('%.0f', expiry))
return 1
`;

/**
 * Adds a session to its user's index, a sorted set scored by the session's absolute expiry, and makes the index
 * outlive its longest-lived session.
 */
export const INDEX_ADD_SCRIPT = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local current = redis.call('PEXPIRETIME', KEYS[1])
if current < tonumber(ARGV[2]) then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
return 1
`;
