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
  local f = redis.call('HMGET', key, 'attempts', 'max_attempts', 'leased_at', 'worker', 'priority',
    'lease_until')
  if not f[1] then
    redis.call('ZREM', ACTIVE, id)
  else
    add_attempt(key, '{"number":' .. f[1] .. ',"startedAt":' .. f[3] .. ',"failedAt":'
      .. millis(NOW) .. ',"worker":' .. cjson.encode(f[4])
      .. ',"errorClass":"LeaseExpired","message":"the lease expired without a heartbeat:'
      .. ' the worker died, hung or lost its connection"}')
    if tonumber(f[1]) >= tonumber(f[2]) then
      bury(id, 'lease expired on the last attempt (worker lost)')
    else
      redis.call('ZREM', ACTIVE, id)
      clear_lease(key)
      make_due(id, tonumber(f[5]), tonumber(f[6]))
    end
  end
end

local due = redis.call('ZRANGEBYSCORE', SCHEDULED, '-inf', NOW, 'LIMIT', 0, MOVES_PER_CALL)
for _, id in ipairs(due) do
  redis.call('ZREM', SCHEDULED, id)
  local f = redis.call('HMGET', job_key(id), 'priority', 'run_at')
  if f[1] then
    make_due(id, tonumber(f[1]), tonumber(f[2]))
  end
end

local leased = {}
local popped = redis.call('ZPOPMIN', DUE, max)
for i = 1, #popped, 2 do
  local id = string.sub(popped[i], 16)
  local key = job_key(id)
  local f = redis.call('HMGET', key, 'type', 'payload', 'max_attempts', 'backoff', 'timeout',
    'ordering', 'created_at')
  if f[1] then
    local token = ARGV[6 + #leased + 1]
    local attempt = redis.call('HINCRBY', key, 'attempts', 1)
    redis.call('HSET', key, 'state', 'running', 'lease_token', token, 'worker', worker,
      'leased_at', millis(NOW), 'lease_until', lease_until)
    redis.call('ZADD', ACTIVE, lease_until, id)
    leased[#leased + 1] = { id, f[1], f[2], attempt, f[3], f[4], f[5], f[6], f[7], token }
  end
end
return leased
