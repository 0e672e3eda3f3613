-- dead_letter.lua: records the last failed attempt and moves the job to the dead letters, if it is
-- still leased under token ARGV[5]. ARGV[4]: id; ARGV[6]: the attempt as JSON; ARGV[7]: why the
-- job was given up. Returns 1 when moved, 0 when the lease was lost.

local id, token, attempt, reason = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local record = redis.call('HGET', LEASES, id)
if not held(record, token) then
  return 0
end
add_attempt(job_key(id), attempt)
bury(id, record, reason)
flush_due()
return 1
