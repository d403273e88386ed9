-- Sets the gate's total: the stock becomes the new total less the requests the gate counts (issued and in flight), so
-- stock + HLEN(requests) == total holds as it does for every other script. Absolute, so applying the same total twice
-- changes nothing, and refused below what the gate already counts (a total may never fall under issued + in flight).
-- Only on a verified gate: after a restart, failover or restore the gate may have lost writes and its count is no
-- ground to lower a total on (see take.lua).
-- KEYS[1] the trust mark, KEYS[2] stock, KEYS[3] requests (requestId -> user id)
-- ARGV[1] the new total
-- Returns {1, counted, stock before} set | {-1, counted, stock} below what it counts | {-2} no gate | {-3} not verified
if redis.call('GET', KEYS[1]) ~= string.match(redis.call('INFO', 'server'), 'run_id:(%w+)') then
  return {-3}
end
local stock = redis.call('GET', KEYS[2])
if not stock then
  return {-2}
end
local counted = redis.call('HLEN', KEYS[3])
local total = tonumber(ARGV[1])
if total < counted then
  return {-1, counted, tonumber(stock)}
end
redis.call('SET', KEYS[2], total - counted)
return {1, counted, tonumber(stock)}
