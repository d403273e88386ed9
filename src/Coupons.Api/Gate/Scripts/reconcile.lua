-- Gives back the unit of a request the database will never issue (it never arrived, or was rejected).
-- KEYS[1] stock, KEYS[2] users (user id -> requestId), KEYS[3] requests (requestId -> user id)
-- ARGV[1] requestId, ARGV[2] the request through which its user holds the coupon in the DB ('' if none)
-- Keeps the gate's own invariant: stock + HLEN(requests) == total.
local user = redis.call('HGET', KEYS[3], ARGV[1])
if not user then
  return 0
end
redis.call('HDEL', KEYS[3], ARGV[1])
if redis.call('HGET', KEYS[2], user) == ARGV[1] then
  if ARGV[2] ~= '' then
    redis.call('HSET', KEYS[2], user, ARGV[2])
  else
    redis.call('HDEL', KEYS[2], user)
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
end
return 1
