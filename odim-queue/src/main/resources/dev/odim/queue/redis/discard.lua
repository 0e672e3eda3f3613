-- discard.lua: deletes dead jobs. ARGV[4..]: ids (those not dead in this queue are skipped).
-- Returns how many were deleted.

local discarded = 0
for i = 4, #ARGV do
  local id = ARGV[i]
  local f = redis.call('HMGET', job_key(id), 'state', 'finished_at')
  if f[1] == 'dead' then
    forget_dead(id, tonumber(f[2]))
    discarded = discarded + 1
  end
end
return discarded
