-- heartbeat.lua: extends the leases still held under the given tokens to ARGV[4] (millis).
-- ARGV[5..]: id and lease token per job. Returns the ids whose lease was taken over or finished.

local lease_until = ARGV[4]
local lost = {}
for i = 5, #ARGV, 2 do
  local id = ARGV[i]
  local key = job_key(id)
  if redis.call('HGET', key, 'lease_token') == ARGV[i + 1] then
    redis.call('HSET', key, 'lease_until', lease_until)
    redis.call('ZADD', ACTIVE, 'XX', lease_until, id)
  else
    lost[#lost + 1] = id
  end
end
return lost
