-- How long a gate has certainly been missing, by this Redis server's clock (one clock for every instance: issue 21,
-- item 8). Nothing can have been accepted through a missing gate, so once this exceeds the publish timeout no accepted
-- request of the coupon is still on its way to Kafka. A gate goes missing when it is dropped (drop.lua, trust.lua write
-- when) or when the server starts without it (its uptime bounds that), whichever came last.
-- A gate that never existed has accepted nothing, anywhere: nothing of its coupon can be on its way or waiting in Kafka,
-- so it may open at once, however long other coupons' requests queue in the topic (hostile review 2, issue 21). That is
-- known only on a trusted server (one whose gates were verified since it started: trust.lua, which marks every open
-- coupon's gate dropped when it verifies), for a coupon whose gate was never opened (open.lua's mark) nor dropped.
-- KEYS[1] stock, KEYS[2] dropped-at, KEYS[3] opened-at, KEYS[4] users, KEYS[5] requests, KEYS[6] the trust mark
-- Returns -1 when the gate is there, -2 when it never existed, else whole seconds it has been missing at least
if redis.call('EXISTS', KEYS[1]) == 1 then
  return -1
end
local trusted = redis.call('GET', KEYS[6]) == string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
if trusted and redis.call('EXISTS', KEYS[2], KEYS[3], KEYS[4], KEYS[5]) == 0 then
  return -2
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
