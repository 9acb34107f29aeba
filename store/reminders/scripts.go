package reminders

import "github.com/redis/go-redis/v9"

// Every script takes the same three keys, in this order:
//
//	KEYS[1] pending  sorted set: id scored by due unix-millis
//	KEYS[2] leased   sorted set: id scored by lease expiry unix-millis
//	KEYS[3] leases   hash: id -> lease token, while leased
//
// A lease token is "<due millis>:<random>.<n>": it carries the reminder's
// original due time, which Release and the expiry hand-back restore, so one hash
// write per claim serves both purposes. An id is in exactly one of pending and
// leased, and in leases exactly when leased; each script keeps that true.

// luaLib holds helpers shared by the scripts.
//
// bulk calls cmd on key with args[from..to] in slices, because Lua's unpack has
// a stack limit of a few thousand values. dueOf reads the due time back out of a
// token.
const luaLib = `
local function bulk(cmd, key, args, step)
  local i, n = 1, #args
  while i <= n do
    local j = math.min(i + step - 1, n)
    redis.call(cmd, key, unpack(args, i, j))
    i = j + 1
  end
end
local function dueOf(token)
  return string.sub(token, 1, string.find(token, ':', 1, true) - 1)
end
`

// scheduleScript upserts reminders. ARGV: due1, id1, due2, id2, ...
// A leased id loses its lease, so the old holder's Ack becomes a no-op and
// cannot delete the new schedule.
var scheduleScript = redis.NewScript(luaLib + `
bulk('ZADD', KEYS[1], ARGV, 1000)
if redis.call('EXISTS', KEYS[2]) == 1 then
  local ids = {}
  for i = 2, #ARGV, 2 do ids[#ids + 1] = ARGV[i] end
  bulk('ZREM', KEYS[2], ids, 1000)
  bulk('HDEL', KEYS[3], ids, 1000)
end
return 0
`)

// cancelScript forgets reminders wherever they are. ARGV: id1, id2, ...
var cancelScript = redis.NewScript(luaLib + `
bulk('ZREM', KEYS[1], ARGV, 1000)
bulk('ZREM', KEYS[2], ARGV, 1000)
bulk('HDEL', KEYS[3], ARGV, 1000)
return 0
`)

// claimScript hands back expired leases, then leases what is due.
// ARGV: now, lease-until, limit, token infix ("<random>."), max hand-back.
// Returns id1, due1, token1, id2, ... in due order.
var claimScript = redis.NewScript(luaLib + `
local now = ARGV[1]
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, ARGV[5])
if #expired > 0 then
  local back = {}
  for _, id in ipairs(expired) do
    local token = redis.call('HGET', KEYS[3], id)
    -- A missing token breaks the invariant; make it due now rather than lose it.
    back[#back + 1] = token and dueOf(token) or now
    back[#back + 1] = id
  end
  -- The range came from the low end of the set, so it is exactly ranks 0..n-1.
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, #expired - 1)
  bulk('HDEL', KEYS[3], expired, 1000)
  bulk('ZADD', KEYS[1], back, 1000)
end
local got = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, ARGV[3])
if #got == 0 then return {} end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #got / 2 - 1)
local out, leased, tokens = {}, {}, {}
for i = 1, #got, 2 do
  local id, due = got[i], got[i + 1]
  local token = due .. ':' .. ARGV[4] .. i
  leased[i], leased[i + 1] = ARGV[2], id
  tokens[i], tokens[i + 1] = id, token
  out[#out + 1] = id
  out[#out + 1] = token
end
bulk('ZADD', KEYS[2], leased, 1000)
bulk('HSET', KEYS[3], tokens, 1000)
return out
`)

// ackScript deletes each leased reminder whose token is still its lease.
// ARGV: id1, token1, id2, token2, ...
var ackScript = redis.NewScript(luaLib + `
local done = {}
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[3], ARGV[i]) == ARGV[i + 1] then done[#done + 1] = ARGV[i] end
end
if #done > 0 then
  bulk('ZREM', KEYS[2], done, 1000)
  bulk('HDEL', KEYS[3], done, 1000)
end
return #done
`)

// releaseScript returns a leased reminder to pending at its original due time if
// token is still its lease. ARGV: id, token.
var releaseScript = redis.NewScript(luaLib + `
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[1], dueOf(ARGV[2]), ARGV[1])
return 1
`)
