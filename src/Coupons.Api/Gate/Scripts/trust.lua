-- The gates' trust mark. The gates live only in Redis; a Redis that restarted (AOF everysec loses up to a second),
-- failed over (a replica may lack the last writes) or was restored from a snapshot can hold gates that look fine and
-- are stale: too much stock, holders missing. The mark is the run_id of the server whose gates were last verified
-- (rebuilt from the database); every server start, including a replica promoted to primary, has a new run_id.
-- KEYS[1] the trust mark; ARGV[1] 'read' | 'reset'. With 'reset', KEYS[2] when the mark is set, KEYS[3..] the gates to throw away, four keys
-- for each open coupon: stock, users, requests, and its dropped-at (set to now, as drop.lua does).
-- read:  returns {run_id of this server, the mark or ''}
-- reset: if the mark is not this server's run_id, deletes KEYS[3..] and sets the mark (and when), in one step (so no click can
--        be accepted by a stale gate in between); returns 1, or 0 when the gates were already trusted (another
--        instance reset them first, and may have rebuilt some since).
local run_id = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
local mark = redis.call('GET', KEYS[1])
if ARGV[1] == 'read' then
  return {run_id, mark or ''}
end
if mark == run_id then
  return 0
end
local time = redis.call('TIME')
local now = string.format('%d.%06d', time[1], time[2])
for i = 3, #KEYS, 4 do
  redis.call('DEL', KEYS[i], KEYS[i + 1], KEYS[i + 2])
  redis.call('SET', KEYS[i + 3], now)
end
redis.call('SET', KEYS[1], run_id)
-- When this server's gates were verified: a coupon whose sale started before this (plus the clock-skew margin) may have
-- accepted clicks through a gate this server never had (missing-for.lua).
redis.call('SET', KEYS[2], time[1])
return 1
