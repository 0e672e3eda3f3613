-- heartbeat.lua: extends the leases still held under the given tokens to ARGV[4] (millis).
-- ARGV[5..]: id and lease token per job (at most 1000 jobs). Returns the ids whose lease was
-- taken over or has ended.

local lease_until = ARGV[4]
local ids = {}
for i = 5, #ARGV, 2 do
  ids[#ids + 1] = ARGV[i]
end
if #ids == 0 then
  return {}
end
local records = redis.call('HMGET', LEASES, unpack(ids))
local extended, lost = {}, {}
for n, id in ipairs(ids) do
  if held(records[n], ARGV[4 + 2 * n]) then
    extended[#extended + 1] = lease_until
    extended[#extended + 1] = id
  else
    lost[#lost + 1] = id
  end
end
if #extended > 0 then
  redis.call('ZADD', ACTIVE, 'XX', unpack(extended))
end
return lost
