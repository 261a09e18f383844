/**
 * The order store's Lua scripts. Per-order scripts take KEYS[1] the order, KEYS[2] its failure fence, KEYS[3]
 * its charge attempts (a sorted set: attempt id → when its lease ends, in Redis time, ms). Leases are read
 * against Redis's clock, so workers on machines with different clocks agree on them.
 */

const NOW_MS = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`

export const ORDER_SCRIPTS = {
  /** KEYS: order, pending index. ARGV: order JSON, created-at ms, id. Stores a new order once, indexed as pending. */
  create: `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
end
return 1
`,

  /** ARGV: attempt id, lease ms. Returns {'started'}, {'settled', order}, {'fenced'} or {'missing'}. */
  beginCharge: `${NOW_MS}
local raw = redis.call('GET', KEYS[1])
if not raw then return {'missing'} end
if cjson.decode(raw).status ~= 'pending' then return {'settled', raw} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'fenced'} end
local lease = tonumber(ARGV[2])
redis.call('ZADD', KEYS[3], now_ms() + lease, ARGV[1])
if redis.call('PTTL', KEYS[3]) < lease then redis.call('PEXPIRE', KEYS[3], lease) end
return {'started'}
`,

  /**
   * ARGV: reason. Drops lapsed attempts; with one still in flight returns {'busy', ms until its lease ends};
   * else sets the fence (keeping the first reason) and returns {'fenced', reason}. Also {'settled', order}, {'missing'}.
   */
  fenceForFailure: `${NOW_MS}
local raw = redis.call('GET', KEYS[1])
if not raw then return {'missing'} end
if cjson.decode(raw).status ~= 'pending' then return {'settled', raw} end
local now = now_ms()
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
if #last > 0 then return {'busy', tostring(tonumber(last[2]) - now)} end
local reason = redis.call('GET', KEYS[2])
if not reason then
  reason = ARGV[1]
  redis.call('SET', KEYS[2], reason)
end
return {'fenced', reason}
`,

  /**
   * KEYS[4]: the pending index. ARGV: status, at, charge id or failure reason, order id. Moves a pending order
   * to paid, or to failed when it is fenced; returns the stored order (unchanged when it could not move).
   */
  settle: `
local raw = redis.call('GET', KEYS[1])
if not raw then return nil end
local order = cjson.decode(raw)
if order.status ~= 'pending' then return raw end
if ARGV[1] == 'failed' and redis.call('EXISTS', KEYS[2]) == 0 then return raw end
order.status = ARGV[1]
order.updatedAt = ARGV[2]
if ARGV[1] == 'paid' then order.chargeId = ARGV[3] else order.failureReason = ARGV[3] end
raw = cjson.encode(order)
redis.call('SET', KEYS[1], raw)
redis.call('ZREM', KEYS[4], ARGV[4])
redis.call('DEL', KEYS[2], KEYS[3])
return raw
`,
} as const
