-- How long a gate has certainly been missing, by this Redis server's clock (one clock for every instance: issue 21,
-- item 8). Nothing can have been accepted through a missing gate, so once this exceeds the publish timeout no accepted
-- request of the coupon is still on its way to Kafka. A gate goes missing when it is dropped (drop.lua, trust.lua write
-- when) or when the server starts without it (its uptime bounds that), whichever came last.
-- A gate that never existed has accepted nothing, anywhere: nothing of its coupon can be on its way or waiting in Kafka,
-- so it may open at once, however long other coupons' requests queue in the topic (hostile review 2, issue 21). That is
-- known only on a trusted server (one whose gates were verified since it started: trust.lua), for a coupon whose gate
-- this server never opened (open.lua's mark), dropped, or holds holders for, and whose sale starts after the
-- verification by more than the clock-skew margin: an earlier one may have taken clicks through a gate that a lost or
-- replaced server had, and those can wait in Kafka for as long as the consumer lags (hostile review 3).
-- KEYS[1] stock, KEYS[2] dropped-at, KEYS[3] opened-at, KEYS[4] users, KEYS[5] requests, KEYS[6] the trust mark,
-- KEYS[7] when the trust mark was set; ARGV[1] the sale's start (Unix seconds), ARGV[2] the clock-skew margin (seconds)
-- Returns {-1} when the gate is there, {-2} when it never existed, else {whole seconds it has been missing at least,
-- its dropped-at or ''} (dropped-at tells one absence from the next)
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {-1}
end
local trusted = redis.call('GET', KEYS[6]) == string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
local verified_at = tonumber(redis.call('GET', KEYS[7]) or '')
if trusted and verified_at ~= nil and tonumber(ARGV[1]) > verified_at + tonumber(ARGV[2])
    and redis.call('EXISTS', KEYS[2], KEYS[3], KEYS[4], KEYS[5]) == 0 then
  return {-2}
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
return {missing, redis.call('GET', KEYS[2]) or ''}
