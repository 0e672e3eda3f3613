-- lease.lua: leases up to ARGV[4] due jobs to worker ARGV[5] until ARGV[6] (millis); ARGV[7..]
-- hold one fresh lease token per job that may be leased.
-- First it reclaims jobs whose lease expired (their worker died or hung: the lost attempt is
-- recorded, and a job on its last attempt goes to the dead letters rather than round again),
-- then it moves scheduled jobs that are due into DUE. Both are bounded per call; the rest wait
-- for the next call, which comes at the latest one poll interval later.
-- Returns per leased job: id, type, payload, attempt, max attempts, backoff, timeout, ordering
-- key, created-at millis, lease token.

local MOVES_PER_CALL = 1000
local max, worker, lease_until = tonumber(ARGV[4]), ARGV[5], ARGV[6]

local expired = redis.call('ZRANGEBYSCORE', ACTIVE, '-inf', NOW, 'LIMIT', 0, MOVES_PER_CALL)
for _, id in ipairs(expired) do
  local key = job_key(id)
  local record = redis.call('HGET', LEASES, id)
  local attempts = redis.call('HGET', ATTEMPTS, id)
  local f = redis.call('HMGET', key, 'max_attempts', 'priority')
  if not (record and attempts and f[1]) then
    drop_lease(id)
  else
    add_attempt(key, '{"number":' .. attempts .. ',"startedAt":'
      .. tonumber(string.sub(record, 39, 53)) .. ',"failedAt":' .. millis(NOW) .. ',"worker":'
      .. cjson.encode(string.sub(record, 54))
      .. ',"errorClass":"LeaseExpired","message":"the lease expired without a heartbeat:'
      .. ' the worker died, hung or lost its connection"}')
    if tonumber(attempts) >= tonumber(f[1]) then
      bury(id, record, 'lease expired on the last attempt (worker lost)')
    else
      local expired_at = redis.call('ZSCORE', ACTIVE, id)
      drop_lease(id)
      put(id, tonumber(f[2]), tonumber(expired_at))
    end
  end
end

local due = redis.call('ZRANGEBYSCORE', SCHEDULED, '-inf', NOW, 'LIMIT', 0, MOVES_PER_CALL)
for _, id in ipairs(due) do
  redis.call('ZREM', SCHEDULED, id)
  local f = redis.call('HMGET', job_key(id), 'priority', 'run_at')
  if f[1] then
    put(id, tonumber(f[1]), tonumber(f[2]))
  end
end
flush_due()

local popped = redis.call('ZPOPMIN', DUE, max)
if #popped == 0 then
  return {}
end
local ids = {}
for i = 1, #popped, 2 do
  ids[#ids + 1] = string.sub(popped[i], 16)
end
local made = redis.call('HMGET', ATTEMPTS, unpack(ids))
local leased, records, active, attempts = {}, {}, {}, {}
for n, id in ipairs(ids) do
  local f = redis.call('HMGET', job_key(id), 'type', 'payload', 'max_attempts', 'backoff',
    'timeout', 'ordering', 'created_at', 'dedup')
  if f[1] then
    local token = ARGV[6 + #leased + 1]
    local attempt = (tonumber(made[n]) or 0) + 1
    attempts[#attempts + 1] = id
    attempts[#attempts + 1] = attempt
    records[#records + 1] = id
    records[#records + 1] = token .. (f[8] == '' and '-' or 'd') .. (f[6] == '' and '-' or 'o')
      .. string.format('%015.0f', NOW) .. worker
    active[#active + 1] = lease_until
    active[#active + 1] = id
    leased[#leased + 1] = { id, f[1], f[2], attempt, f[3], f[4], f[5], f[6], f[7], token }
  end
end
batched('HSET', ATTEMPTS, attempts, 2)
batched('HSET', LEASES, records, 2)
batched('ZADD', ACTIVE, active, 2)
return leased
