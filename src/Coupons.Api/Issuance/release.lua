-- Gives a unit back when a request definitely never entered the pipeline. Only the request that took
-- the unit can release it, so a late or repeated release is harmless.
-- KEYS[1] stock, KEYS[2] users, KEYS[3] requests; ARGV[1] publicId, ARGV[2] requestId
-- Returns 1 released | 0 nothing to release
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[2])
  if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('INCR', KEYS[1])
  end
  return 1
end
return 0
