-- dead_letter.lua: records the last failed attempt and moves the job to the dead letters, if it is
-- still leased under token ARGV[5]. ARGV[4]: id; ARGV[6]: the attempt as JSON; ARGV[7]: why the
-- job was given up. Returns 1 when moved, 0 when the lease was lost.

local id, token, attempt, reason = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local key = job_key(id)
if redis.call('HGET', key, 'lease_token') ~= token then
  return 0
end
add_attempt(key, attempt)
bury(id, reason)
return 1
