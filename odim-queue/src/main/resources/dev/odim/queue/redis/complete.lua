-- complete.lua: removes succeeded jobs that are still leased under the given tokens; a job whose
-- lease was taken over is left to its new holder. The hot path: one call completes a batch.
-- ARGV[4..]: id and lease token per job. Returns how many were completed.

local completed = 0
for i = 4, #ARGV, 2 do
  local id = ARGV[i]
  local f = redis.call('HMGET', job_key(id), 'lease_token', 'dedup', 'ordering')
  if f[1] == ARGV[i + 1] then
    redis.call('ZREM', ACTIVE, id)
    release_dedup(id, f[2])
    if f[3] ~= '' then
      leave_line(id, f[3])
    end
    forget(id)
    completed = completed + 1
  end
end
return completed
