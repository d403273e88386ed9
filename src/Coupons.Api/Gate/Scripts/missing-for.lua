-- How long a gate has certainly been missing, by this Redis server's clock (one clock for every instance: issue 21,
-- item 8). Nothing can have been accepted through a missing gate, so once this exceeds the publish timeout no accepted
-- request of the coupon is still on its way to Kafka. A gate goes missing when it is dropped (drop.lua, trust.lua write
-- when) or when the server starts without it (its uptime bounds that), whichever came last.
-- KEYS[1] stock, KEYS[2] dropped-at
-- Returns -1 when the gate is there, else whole seconds it has been missing at least
if redis.call('EXISTS', KEYS[1]) == 1 then
  return -1
end
local now = tonumber(redis.call('TIME')[1])
local missing = tonumber(string.match(redis.call('INFO', 'server'), 'uptime_in_seconds:(%d+)')) or 0
local dropped = tonumber(redis.call('GET', KEYS[2]) or '')
if dropped ~= nil and now - dropped < missing then
  missing = now - dropped
end
if missing < 0 then
  missing = 0
end
return missing
