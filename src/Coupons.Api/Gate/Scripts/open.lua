-- Opens a gate in one step from holders staged under keys of their own, so a gate appears whole or not at all (issue 21,
-- item 6: written straight into the gate 1,000 holders per round trip, a reset landing between two chunks left a partial
-- holder set under a full stock: second 202s). The staging keys carry a fresh id per opening; a reset or a Redis restart
-- between staging and this call shows as a staged count that is not the one the database gave, and nothing is opened.
-- The gate's generation (its dropped-at, read before the database was) must be unchanged: a reset since then means the
-- database read may be older than what the gate was thrown away for.
-- The gate's opened-at mark stays when the gate is dropped: a gate missing with that mark once accepted clicks (missing-for.lua).
-- KEYS[1] stock, KEYS[2] users, KEYS[3] requests, KEYS[4] staged users, KEYS[5] staged requests, KEYS[6] dropped-at,
-- KEYS[7] opened-at
-- ARGV[1] remaining stock, ARGV[2] holders staged, ARGV[3] the generation read before the database ('' for none)
-- Returns 1 opened | 0 already open (staging dropped) | -1 torn: reset or restarted meanwhile (dropped; open again)
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('DEL', KEYS[4], KEYS[5])
  return 0
end
local holders = tonumber(ARGV[2])
local generation = redis.call('GET', KEYS[6]) or ''
if generation ~= ARGV[3] or redis.call('HLEN', KEYS[4]) ~= holders or redis.call('HLEN', KEYS[5]) ~= holders then
  redis.call('DEL', KEYS[4], KEYS[5])
  return -1
end
-- Holders a repair wrote while the gate was missing are in the database too, so in the staged set.
redis.call('DEL', KEYS[2], KEYS[3])
if holders > 0 then
  redis.call('RENAME', KEYS[4], KEYS[2])
  redis.call('RENAME', KEYS[5], KEYS[3])
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[7], redis.call('TIME')[1])
return 1
