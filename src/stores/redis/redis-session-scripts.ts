/**
 * Touch in one atomic step that never resurrects a deleted session: rewrite the activity fields of an existing record
 * and move its expiry to the earlier of idle and absolute expiry. ARGV: lastSeenAt, idleExpiresAt (epoch ms), ip,
 * country as JSON. Reads both record formats (redis-session-codec.ts) and keeps each in its own format. cjson prints
 * numbers with 14 significant digits, exact for epoch milliseconds until the year 5138. It also writes every "/" as
 * `\/`, which the gsub turns back (in cjson's output a backslash before "/" is always that escape: a backslash of the
 * text is written `\\`, and a "/" after it as `\/` again), so touching a record does not make it larger.
 */
export const TOUCH_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local s = cjson.decode(raw)
local lastSeen = tonumber(ARGV[1])
local idle = tonumber(ARGV[2])
local expiry
if s[1] == 2 or s[1] == 3 then
  s[7] = lastSeen - s[6]
  s[8] = idle - lastSeen - s[10]
  s[12] = ARGV[3]
  s[14] = cjson.decode(ARGV[4])
  expiry = math.min(idle, s[6] + s[9])
elseif s[1] == 1 then
  s[7] = lastSeen
  s[8] = idle
  s[12] = ARGV[3]
  s[16] = cjson.decode(ARGV[4])
  expiry = math.min(idle, s[9])
else
  return 0
end
local encoded = string.gsub(cjson.encode(s), '\\\\/', '/')
redis.call('SET', KEYS[1], encoded, 'PXAT', string.format('%.0f', expiry))
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

/**
 * Changes the proof and binding fields of a live record in place (same key, same expiry), never recreating a deleted
 * one. ARGV: authenticatedAt (epoch ms), methods (bit set), deviceKey as JSON; an empty string leaves a field as it
 * is, and a null device key is left out (the codec reads an 18-field record as unbound). A format-2 record becomes format 3, its unknown fields filled as the codec reads them (proven at creation, by
 * the provider or a password). Format 1 answers -1: the caller rewrites it whole.
 */
export const UPDATE_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local s = cjson.decode(raw)
if s[1] == 2 then
  s[1] = 3
  s[17] = 0
  if s[16] == cjson.null then s[18] = 1 else s[18] = 2 end
elseif s[1] ~= 3 then
  return -1
end
if ARGV[1] ~= '' then s[17] = tonumber(ARGV[1]) - s[6] end
if ARGV[2] ~= '' then s[18] = tonumber(ARGV[2]) end
if ARGV[3] ~= '' then
  local key = cjson.decode(ARGV[3])
  if key == cjson.null then s[19] = nil else s[19] = key end
end
local encoded = string.gsub(cjson.encode(s), '\\\\/', '/')
redis.call('SET', KEYS[1], encoded, 'KEEPTTL')
return 1
`;
