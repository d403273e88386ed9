-- Throws a gate away and notes when, by this Redis server's clock: until every publish that was in flight has landed,
-- the gate may be rebuilt only after a wait (see missing-for.lua).
-- KEYS[1] stock, KEYS[2] users, KEYS[3] requests, KEYS[4] dropped-at
-- Returns 1
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('SET', KEYS[4], redis.call('TIME')[1])
return 1
