-- release.lua: hands leased jobs back unrun (a worker shutting down): due now, and the attempt
-- not counted. ARGV[4..]: id and lease token per job. Returns how many were released.

local released = 0
for i = 4, #ARGV, 2 do
  local id = ARGV[i]
  local key = job_key(id)
  if held(redis.call('HGET', LEASES, id), ARGV[i + 1]) then
    drop_lease(id)
    redis.call('HINCRBY', ATTEMPTS, id, -1)
    put(id, tonumber(redis.call('HGET', key, 'priority')), NOW)
    released = released + 1
  end
end
wake_workers()
return released
