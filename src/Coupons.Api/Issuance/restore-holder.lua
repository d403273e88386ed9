-- Puts a database holder back into the gate: counts its request and takes its unit (stock + HLEN(requests) == total).
-- KEYS[1] stock, KEYS[2] users, KEYS[3] requests; ARGV[1] publicId, ARGV[2] holder requestId
-- Returns 1 restored | 0 already known
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then
  return 0
end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then
  redis.call('DECR', KEYS[1])
end
return 1
