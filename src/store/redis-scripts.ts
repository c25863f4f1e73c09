/**
 * The Lua scripts of the Redis store. Redis runs a script as one atomic step: no other client's command runs in
 * between, so a read-then-write in a script is atomic across every replica. Keys are passed as KEYS (the store builds
 * them, see redis-store.ts); numbers travel as decimal strings.
 */

/**
 * Delete every family of every key in the person index, then the index; returns how many keys it listed.
 * KEYS[1] the person index; ARGV the key prefixes of the families (value, claim, counter, versioned, sorted index).
 */
export const FORGET_SCRIPT = `
local members = redis.call('SMEMBERS', KEYS[1])
for _, key in ipairs(members) do
  local family = {}
  for i = 1, #ARGV do family[i] = ARGV[i] .. key end
  redis.call('DEL', unpack(family))
end
redis.call('DEL', KEYS[1])
return #members
`;

/**
 * Add ARGV[1] to the counter KEYS[1] unless that rises above the cap (ARGV[2], '' for none) or falls below the
 * floor (ARGV[3]); only the direction of the step is checked. When applied, ARGV[4] (ms, '' for none) sets the
 * expiry; without it INCRBY keeps the one the counter had. Returns { applied (0/1), value }.
 */
export const INCREMENT_SCRIPT = `
local function bound(s)
  if s == '+inf' then return math.huge elseif s == '-inf' then return -math.huge else return tonumber(s) end
end
local by = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local nextValue = current + by
if by > 0 and ARGV[2] ~= '' and nextValue > bound(ARGV[2]) then return {0, current} end
if by < 0 and ARGV[3] ~= '' and nextValue < bound(ARGV[3]) then return {0, current} end
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if ARGV[4] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return {1, value}
`;

/**
 * Compare-and-set of the versioned value KEYS[1] (a hash: `value` JSON, `version`). Writes only when the current
 * version (0 when absent) is ARGV[1]. ARGV[2] is 'set' or 'delete'; ARGV[3] the JSON; ARGV[4] the TTL in ms or ''.
 * A new version comes from the store-wide sequence KEYS[2], so no version is ever handed out twice. Returns 1 or 0.
 */
export const COMPARE_AND_SET_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
if ARGV[2] == 'delete' then
  redis.call('DEL', KEYS[1])
  return 1
end
local version = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'value', ARGV[3], 'version', version)
if ARGV[4] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) else redis.call('PERSIST', KEYS[1]) end
return 1
`;

/**
 * One page of the sorted index KEYS[1] in (score, member) order: scores from ARGV[1] to ARGV[2] (inclusive, or
 * -inf/+inf), after the entry (ARGV[3] score or '', ARGV[4] member), at most ARGV[5] entries. Ranks are found with
 * ZCOUNT and a binary search over the tied scores, so a page costs O(log n) however many members share a score.
 * Members compare byte by byte (Lua's own string order follows the server's locale). Returns member, score, ….
 */
export const INDEX_RANGE_SCRIPT = `
local key = KEYS[1]
local function bytesAfter(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end
local start = 0
if ARGV[1] ~= '-inf' then start = redis.call('ZCOUNT', key, '-inf', '(' .. ARGV[1]) end
if ARGV[3] ~= '' then
  local lo = redis.call('ZCOUNT', key, '-inf', '(' .. ARGV[3])
  local hi = lo + redis.call('ZCOUNT', key, ARGV[3], ARGV[3])
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if bytesAfter(redis.call('ZRANGE', key, mid, mid)[1], ARGV[4]) then hi = mid else lo = mid + 1 end
  end
  if lo > start then start = lo end
end
local stop = redis.call('ZCOUNT', key, '-inf', ARGV[2]) - 1
local last = math.min(stop, start + tonumber(ARGV[5]) - 1)
if last < start then return {} end
return redis.call('ZRANGE', key, start, last, 'WITHSCORES')
`;

/**
 * Move everything under one key to another, or rewrite its values in place (`rename`). KEYS[1..5] the families of
 * `from` (value, claim, counter, versioned, index), KEYS[6..10] those of `to`, KEYS[11] the version sequence.
 * ARGV[1] keyv's text of the plain value as it was read ('' absent), ARGV[2] the versioned value's version as read
 * ('0' absent): when either changed since, nothing is written and -1 comes back (the caller reads again). ARGV[3] the
 * new plain text, ARGV[4] the new versioned JSON ('' drops either), ARGV[5] '1' for in place. A family of `to` that
 * exists wins; expiries are kept (PTTL); index members `to` has keep their score. Returns 1 when `from` held
 * anything in any family, else 0.
 */
export const RENAME_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
if (raw or '') ~= ARGV[1] then return -1 end
if (redis.call('HGET', KEYS[4], 'version') or '0') ~= ARGV[2] then return -1 end
local live = 0
local function expireLike(source, target)
  local ttl = redis.call('PTTL', source)
  if ttl > 0 then redis.call('PEXPIRE', target, ttl) end
end
if ARGV[5] == '1' then
  if raw then
    live = 1
    if ARGV[3] == '' then redis.call('DEL', KEYS[1])
    elseif ARGV[3] ~= raw then redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL') end
  end
  if ARGV[2] ~= '0' then
    live = 1
    if ARGV[4] == '' then redis.call('DEL', KEYS[4])
    elseif ARGV[4] ~= redis.call('HGET', KEYS[4], 'value') then
      redis.call('HSET', KEYS[4], 'value', ARGV[4], 'version', redis.call('INCR', KEYS[11]))
    end
  end
  if redis.call('EXISTS', KEYS[2], KEYS[3], KEYS[5]) > 0 then live = 1 end
  return live
end
if raw then
  live = 1
  if ARGV[3] ~= '' and redis.call('EXISTS', KEYS[6]) == 0 then
    redis.call('SET', KEYS[6], ARGV[3])
    expireLike(KEYS[1], KEYS[6])
  end
end
if ARGV[2] ~= '0' then
  live = 1
  if ARGV[4] ~= '' and redis.call('EXISTS', KEYS[9]) == 0 then
    redis.call('HSET', KEYS[9], 'value', ARGV[4], 'version', redis.call('INCR', KEYS[11]))
    expireLike(KEYS[4], KEYS[9])
  end
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  live = 1
  if redis.call('EXISTS', KEYS[7]) == 0 then
    redis.call('SET', KEYS[7], '1')
    expireLike(KEYS[2], KEYS[7])
  end
end
local counter = redis.call('GET', KEYS[3])
if counter then
  live = 1
  if redis.call('EXISTS', KEYS[8]) == 0 then
    redis.call('SET', KEYS[8], counter)
    expireLike(KEYS[3], KEYS[8])
  end
end
local members = redis.call('ZRANGE', KEYS[5], 0, -1, 'WITHSCORES')
for i = 1, #members, 2 do
  live = 1
  redis.call('ZADD', KEYS[10], 'NX', members[i + 1], members[i])
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return live
`;

/** Rename member ARGV[1] of the sorted set KEYS[1] to ARGV[2] with its score (ARGV[2] wins when there); 1 or 0. */
export const RENAME_MEMBER_SCRIPT = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
redis.call('ZADD', KEYS[1], 'NX', score, ARGV[2])
if ARGV[1] ~= ARGV[2] then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 1
`;
