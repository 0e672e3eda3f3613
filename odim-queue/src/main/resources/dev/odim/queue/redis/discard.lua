-- discard.lua: deletes dead jobs. ARGV[4..]: ids (those not dead in this queue are skipped).
-- Returns how many were deleted.

local discarded = 0
for i = 4, #ARGV do
  local id = ARGV[i]
  local died_at = redis.call('HGET', job_key(id), 'finished_at')
  if died_at and redis.call('HGET', job_key(id), 'state') == 'dead' then
    redis.call('ZREM', DEAD, dead_member(tonumber(died_at), id))
    forget(id)
    discarded = discarded + 1
  end
end
return discarded
