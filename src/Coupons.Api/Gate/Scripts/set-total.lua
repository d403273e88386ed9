-- Reads or sets the gate's total. The gate keeps stock + HLEN(requests) == total through every script (a click takes a
-- unit and counts its request; compensation, reconciliation and restored holders move both), so the total is never
-- stored: setting it sets the stock to the new total less the requests the gate counts (issued and in flight).
-- Only on a verified gate: after a restart, failover or restore the gate may have lost writes (see take.lua).
-- KEYS[1] the trust mark, KEYS[2] stock, KEYS[3] requests (requestId -> user id)
-- ARGV[1] mode: 'read' | 'change' | 'sync' | 'close'
--   read:   change nothing
--   change: set ARGV[2] as the total, only if the gate's total is ARGV[3] (compare-and-set: a script delayed in a
--           stalled socket after its caller gave up finds a newer total and does nothing) and not below what it counts
--   sync:   set ARGV[2] as the total whatever it was (under the coupon's row lock, to the database's total), the stock
--           below 0 if the gate counts more (take.lua sells nothing at or below 0, as after restore-holder.lua)
--   close:  no unit left on sale (the sale ended): the stock to 0 unless it is below
-- Returns {1, counted, stock before} done | {0, counted, stock} read | {-1, counted, stock} below what it counts |
-- {-4, counted, stock} the gate's total was not ARGV[3] | {-2} no gate | {-3} not verified
if redis.call('GET', KEYS[1]) ~= string.match(redis.call('INFO', 'server'), 'run_id:(%w+)') then
  return {-3}
end
local stock = redis.call('GET', KEYS[2])
if not stock then
  return {-2}
end
stock = tonumber(stock)
local counted = redis.call('HLEN', KEYS[3])
local mode = ARGV[1]
if mode == 'read' then
  return {0, counted, stock}
end
if mode == 'close' then
  if stock > 0 then
    redis.call('SET', KEYS[2], 0)
  end
  return {1, counted, stock}
end
local total = tonumber(ARGV[2])
if mode == 'change' then
  if stock + counted ~= tonumber(ARGV[3]) then
    return {-4, counted, stock}
  end
  if total < counted then
    return {-1, counted, stock}
  end
end
redis.call('SET', KEYS[2], total - counted)
return {1, counted, stock}
