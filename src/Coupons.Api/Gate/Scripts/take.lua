-- The FCFS decision for a batch of clicks, in one round trip, each click decided in turn (arrival order) and
-- atomically: is this a known user, did they click before, is there stock. GateBatcher coalesces concurrent clicks
-- into one call, so a flash sale costs Redis one script run per batch instead of per click.
-- The gate dedupes on the user's numeric id (users.id), the identity user_coupons' unique key holds (design.md §2, I6): the
-- registry maps the canonical publicId to it, so however a publicId is spelled it is one person here.
-- KEYS[1] the gate's trust mark (string: the run_id of the Redis server whose gates were verified; see trust.lua).
-- While it is not this server's run_id, this Redis restarted, failed over or was restored since the gates were
-- verified, so they may have lost writes: every click answers "not ready" until GateKeeper has rebuilt them.
-- Then per click i (0-based), four keys and three arguments: KEYS[4i+2] stock     (string: remaining units; absent =
-- gate not open/ready) KEYS[4i+3] users     (hash: user id -> requestId of the accepted request)
-- KEYS[4i+4] requests  (hash: requestId -> user id, so a request's PENDING state can be looked up)
-- KEYS[4i+5] the user registry shard holding the publicId (hash: publicId -> user id; see UserRegistry)
-- ARGV[3i+1] canonical publicId, ARGV[3i+2] new requestId, ARGV[3i+3] the user id when the caller looked it up in
-- MySQL, else '' Returns three values per click, {verdict, requestId, userId}: {0, requestId, userId} accepted | {1,
-- '', userId} sold out | {2, existingRequestId, userId} duplicate | {3, '', userId} gate not ready | {4, '', ''} user
-- not in the registry. A stock/users/requests triple shares the hash tag {coupon:<id>}; the registry shards do not, and
-- a batch spans coupons, so the gate needs one Redis primary (with replicas or Sentinel), not Redis Cluster.
local function decide(stock_key, users_key, requests_key, registry_key, public_id, request_id, known_user)
  local user = redis.call('HGET', registry_key, public_id)
  if not user then
    if known_user == '' then
      return 4, '', ''
    end
    user = known_user
    redis.call('HSET', registry_key, public_id, user)
  end
  local existing = redis.call('HGET', users_key, user)
  if existing then
    return 2, existing, user
  end
  local stock = redis.call('GET', stock_key)
  if not stock then
    return 3, '', user
  end
  if tonumber(stock) <= 0 then
    return 1, '', user
  end
  redis.call('DECR', stock_key)
  redis.call('HSET', users_key, user, request_id)
  redis.call('HSET', requests_key, request_id, user)
  return 0, request_id, user
end

local answers = {}
local trusted = redis.call('GET', KEYS[1]) == string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
for i = 0, #ARGV / 3 - 1 do
  local k, a = 4 * i + 1, 3 * i
  if trusted then
    answers[a + 1], answers[a + 2], answers[a + 3] =
      decide(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3])
  else
    answers[a + 1], answers[a + 2], answers[a + 3] = 3, '', ''
  end
end
return answers
