-- Puts a database holder back into the gate: counts its request and takes its unit, so stock + HLEN(requests) == total
-- holds whatever order repairs come in. At 0 the stock goes below 0: the gate then counts more requests than units,
-- which it does only until the extra requests (rejected by the database, or leaked) are returned by reconcile.lua, whose
-- INCR brings it back to 0, not to a phantom unit. take.lua sells nothing at or below 0.
-- KEYS[1] stock, KEYS[2] users (user id -> requestId), KEYS[3] requests (requestId -> user id)
-- ARGV[1] user id, ARGV[2] holder requestId
-- Returns 1 restored | 0 already known
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then
  return 0
end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('DECR', KEYS[1])
end
return 1
