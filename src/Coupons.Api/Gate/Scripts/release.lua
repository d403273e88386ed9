-- Gives a unit back when a request definitely never entered the pipeline. Only the request that took
-- the unit can release it, so a late or repeated release is harmless.
-- KEYS[1] stock, KEYS[2] users (user id -> requestId), KEYS[3] requests (requestId -> user id); ARGV[1] requestId
-- Returns 1 released | 0 nothing to release
local user = redis.call('HGET', KEYS[3], ARGV[1])
if user and redis.call('HGET', KEYS[2], user) == ARGV[1] then
  redis.call('HDEL', KEYS[2], user)
  redis.call('HDEL', KEYS[3], ARGV[1])
  if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('INCR', KEYS[1])
  end
  return 1
end
return 0
