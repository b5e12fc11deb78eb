// Lua run inside Redis so that one cache write (entry, vector, change log, LRU, eviction) is atomic.

/**
 * Put one entry.
 * KEYS: 1 entry hash, 2 partition vectors (hash id -> float32 blob), 3 partition expiries (zset),
 *       4 partition change log (stream), 5 partition change counter, 6 decision LRU (zset of `part|id`
 *       scored by 7, the decision's use counter: a total order, unlike millisecond clocks).
 * ARGV: 1 id, 2 body json, 3 model, 4 createdAt, 5 vector blob or '', 6 ttl ms, 7 now ms,
 *       8 max entries, 9 partition key (without prefix), 10 key base (prefix), 11 log max length,
 *       12 normalised prompt.
 * Every change to a partition's vectors is appended to its log with a gapless sequence number, so
 * replicas keep a client-side index in step by reading only what changed.
 * Evicted members of other partitions are addressed from the member name: fine on one Redis or a
 * primary with replicas, not on Redis Cluster (keys not declared).
 */
export const PUT_SCRIPT = `
-- KEYS[7]: decision use counter
local id = ARGV[1]
local ttl = tonumber(ARGV[6])
local now = tonumber(ARGV[7])
local maxEntries = tonumber(ARGV[8])
local part = ARGV[9]
local base = ARGV[10]
local logMax = ARGV[11]

local function logop(b, op, eid, vec)
  local s = redis.call('INCR', b .. ':seq')
  if vec then
    redis.call('XADD', b .. ':log', 'MAXLEN', '~', logMax, '*', 's', s, 'o', op, 'i', eid, 'v', vec)
  else
    redis.call('XADD', b .. ':log', 'MAXLEN', '~', logMax, '*', 's', s, 'o', op, 'i', eid)
  end
end

local function dropVector(b, eid)
  if redis.call('HDEL', b .. ':vec', eid) == 1 then
    redis.call('ZREM', b .. ':exp', eid)
    logop(b, 'd', eid)
  end
end

local pbase = base .. part
-- Vectors whose entries have expired (Redis expired the entry hash itself).
local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 256)
for _, d in ipairs(dead) do
  dropVector(pbase, d)
  redis.call('ZREM', KEYS[6], part .. '|' .. d)
end

redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'b', ARGV[2], 'm', ARGV[3], 'c', ARGV[4], 'p', ARGV[12])
redis.call('PEXPIRE', KEYS[1], ttl)
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[2], id, ARGV[5])
  redis.call('ZADD', KEYS[3], now + ttl, id)
  logop(pbase, 'a', id, ARGV[5])
else
  dropVector(pbase, id)
end
-- A partition lives as long as its newest entry.
for i = 2, 5 do redis.call('PEXPIRE', KEYS[i], ttl) end

redis.call('ZADD', KEYS[6], redis.call('INCR', KEYS[7]), part .. '|' .. id)
redis.call('PEXPIRE', KEYS[6], ttl)
redis.call('PEXPIRE', KEYS[7], ttl)
local over = redis.call('ZCARD', KEYS[6]) - maxEntries
if over > 0 then
  local popped = redis.call('ZPOPMIN', KEYS[6], over)
  for i = 1, #popped, 2 do
    local m = popped[i]
    local sep = string.find(m, '|', 1, true)
    local p = string.sub(m, 1, sep - 1)
    local eid = string.sub(m, sep + 1)
    redis.call('DEL', base .. p .. ':e:' .. eid)
    dropVector(base .. p, eid)
  end
end
return 1
`;

/** Mark an entry used. KEYS: 1 decision LRU, 2 decision use counter. ARGV: 1 member `part|id`. */
export const TOUCH_SCRIPT = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', redis.call('INCR', KEYS[2]), ARGV[1])
end
return 1
`;
