-- retry.lua: records a failed attempt and makes the job due again at ARGV[7] (millis), if it is
-- still leased under token ARGV[5]; ARGV[2] (now) is when the failure was recorded. The job keeps
-- its place at the head of its ordering key's line, so later jobs of the key keep waiting.
-- ARGV[4]: id; ARGV[6]: the attempt as JSON. Returns 1 when retried, 0 when the lease was lost.

local id, token, attempt, run_at = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
local key = job_key(id)
if not held(redis.call('HGET', LEASES, id), token) then
  return 0
end
add_attempt(key, attempt)
drop_lease(id)
put(id, tonumber(redis.call('HGET', key, 'priority')), run_at)
flush_due()
return 1
