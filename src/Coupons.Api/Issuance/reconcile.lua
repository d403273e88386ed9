-- Gives back the unit of a request the database will never issue (it never arrived, or was rejected).
-- KEYS[1] stock, KEYS[2] users, KEYS[3] requests
-- ARGV[1] publicId, ARGV[2] requestId, ARGV[3] the request through which the user holds the coupon in the DB ('' if none)
-- Keeps the gate's own invariant: stock + HLEN(requests) == total.
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 0 then
  return 0
end
redis.call('HDEL', KEYS[3], ARGV[2])
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  if ARGV[3] ~= '' then
    redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
  else
    redis.call('HDEL', KEYS[2], ARGV[1])
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
end
return 1
