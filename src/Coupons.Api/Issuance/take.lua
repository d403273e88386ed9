-- The FCFS decision, atomic per coupon. All keys share the hash tag {coupon:<id>} (Redis Cluster safe).
-- KEYS[1] stock     (string: remaining units; absent = gate not open/ready)
-- KEYS[2] users     (hash: publicId -> requestId of the accepted request)
-- KEYS[3] requests  (hash: requestId -> publicId, so a request's PENDING state can be looked up)
-- ARGV[1] publicId, ARGV[2] new requestId
-- Returns {0, requestId} accepted | {1, ''} sold out | {2, existingRequestId} duplicate | {3, ''} gate not ready
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then
  return {2, existing}
end
local stock = redis.call('GET', KEYS[1])
if not stock then
  return {3, ''}
end
if tonumber(stock) <= 0 then
  return {1, ''}
end
redis.call('DECR', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
return {0, ARGV[2]}
