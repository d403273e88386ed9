-- The FCFS decision, atomic per coupon, in one round trip: is this a known user, did they click before, is there stock.
-- KEYS[1] stock     (string: remaining units; absent = gate not open/ready)
-- KEYS[2] users     (hash: publicId -> requestId of the accepted request)
-- KEYS[3] requests  (hash: requestId -> publicId, so a request's PENDING state can be looked up)
-- KEYS[4] the user registry shard holding ARGV[1] (hash: publicId -> user id; see UserRegistry)
-- ARGV[1] publicId, ARGV[2] new requestId, ARGV[3] the user id when the caller looked it up in MySQL, else ''
-- Returns {verdict, requestId, userId}: {0, requestId, userId} accepted | {1, '', userId} sold out |
-- {2, existingRequestId, userId} duplicate | {3, '', userId} gate not ready | {4, '', ''} user not in the registry
-- KEYS[1..3] share the hash tag {coupon:<id>}; KEYS[4] does not, so the gate needs one Redis primary (with replicas
-- or Sentinel), not Redis Cluster: checking the user in the same step saves a round trip on every click.
local user = redis.call('HGET', KEYS[4], ARGV[1])
if not user then
  if ARGV[3] == '' then
    return {4, '', ''}
  end
  user = ARGV[3]
  redis.call('HSET', KEYS[4], ARGV[1], user)
end
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then
  return {2, existing, user}
end
local stock = redis.call('GET', KEYS[1])
if not stock then
  return {3, '', user}
end
if tonumber(stock) <= 0 then
  return {1, '', user}
end
redis.call('DECR', KEYS[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1])
return {0, ARGV[2], user}
