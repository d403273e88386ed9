-- Throws a gate away and notes when, by this Redis server's clock: until every publish that was in flight has landed,
-- the gate may be rebuilt only after a wait (see missing-for.lua). The mark (seconds.microseconds) is also the gate's
-- generation: an opening that read the database before it is torn (see open.lua).
-- KEYS[1] stock, KEYS[2] users, KEYS[3] requests, KEYS[4] dropped-at
-- Returns 1
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
local now = redis.call('TIME')
redis.call('SET', KEYS[4], string.format('%d.%06d', now[1], now[2]))
return 1
