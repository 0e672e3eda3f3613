-- complete.lua: removes succeeded jobs that are still leased under the given tokens; a job whose
-- lease was taken over is left to its new holder. The hot path: one call completes a batch, with
-- one command per batch for the lease records, the ACTIVE entries and the job hashes.
-- ARGV[4..]: id and lease token per job (at most 1000 jobs). Returns how many were completed.

local ids = {}
for i = 4, #ARGV, 2 do
  ids[#ids + 1] = ARGV[i]
end
if #ids == 0 then
  return 0
end
local records = redis.call('HMGET', LEASES, unpack(ids))
local completed, keys = {}, {}
for n, id in ipairs(ids) do
  if held(records[n], ARGV[3 + 2 * n]) then
    let_go(id, records[n])
    completed[#completed + 1] = id
    keys[#keys + 1] = job_key(id)
  end
end
mark_finished(completed, NOW)
batched('HDEL', LEASES, completed)
batched('HDEL', ATTEMPTS, completed)
batched('ZREM', ACTIVE, completed)
batched('DEL', false, keys)
flush_due()
return #completed
