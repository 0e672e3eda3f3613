-- lib.lua: the definitions every script of the Redis queue backend shares. It is prepended to each
-- script when the scripts are loaded, so that a state move is still one script and one EVALSHA.
--
-- KEYS are one queue's fixed keys, always in this order (see QueueKeys.java). ARGV[1] is the
-- queue's key base "<prefix>:{<queue>}", from which the per-job keys are formed: every key of a
-- queue carries the same hash tag, so a queue lives on one cluster slot. ARGV[2] is now and
-- ARGV[3] the retention of finished-job markers, both in milliseconds; a script's own arguments
-- start at ARGV[4]. Times always come from the caller's clock, never from Redis TIME, so a test's
-- clock drives leases, backoff and schedules.
--
-- A job is a hash at <base>:job:<id>, with a field `state` that says which of these it is in:
--   waiting    in DUE: zset scored (priority + 1000) * BAND + due millis, members <seq><id>, so
--              ZPOPMIN gives the smallest priority, then the oldest due, then the first to arrive
--   scheduled  in SCHEDULED, by run-at millis; moved into DUE by the lease script once due
--   running    in ACTIVE, by lease expiry millis; carries lease_token, worker, leased_at
--   blocked    behind the head of its ordering key's line (<base>:order:<key>), in BLOCKED by
--              run-at millis; only a line's head is ever waiting, scheduled or running
--   dead       in DEAD: all scores 0, members <died-at millis, 15 digits>:<id>, so lexical order
--              is time order and a keyset cursor is a member
-- A finished job's hash is deleted and a marker <base>:done:<id> kept for the retention, so that
-- an id sent again (an outbox relay resending after a crash) is answered as a duplicate.

local DUE, SCHEDULED, ACTIVE, BLOCKED = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local DEAD, DEDUP, SEQ, SCHEDULES = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local BASE = ARGV[1]
local NOW = tonumber(ARGV[2])
local RETENTION = ARGV[3]

-- 2^42 ms reaches the year 2109, and 2001 bands of it stay below 2^53, where doubles (Lua's
-- numbers and Redis's scores) stop being exact integers.
local BAND = 4398046511104

-- Whether this call made any job due, so that the scripts that enqueue publish one wake-up.
local woke = false

local function job_key(id)
  return BASE .. ':job:' .. id
end

local function order_key(ordering)
  return BASE .. ':order:' .. ordering
end

local function millis(n)
  return string.format('%.0f', n)
end

local function dead_member(died_at, id)
  return string.format('%015.0f', died_at) .. ':' .. id
end

local function make_due(id, priority, due_at)
  due_at = math.max(due_at, 0)
  local seq = redis.call('INCR', SEQ)
  redis.call('ZADD', DUE, (priority + 1000) * BAND + due_at, string.format('%015.0f', seq) .. id)
  redis.call('HSET', job_key(id), 'state', 'waiting', 'run_at', millis(due_at))
  woke = true
end

-- Puts a job that may run (no ordering key, or the head of its line) where it belongs at NOW.
local function place(id, priority, run_at)
  if run_at > NOW then
    redis.call('ZADD', SCHEDULED, run_at, id)
    redis.call('HSET', job_key(id), 'state', 'scheduled', 'run_at', millis(run_at))
  else
    make_due(id, priority, run_at)
  end
end

local function join_line(id, ordering, priority, run_at)
  if redis.call('RPUSH', order_key(ordering), id) == 1 then
    place(id, priority, run_at)
  else
    redis.call('ZADD', BLOCKED, run_at, id)
    redis.call('HSET', job_key(id), 'state', 'blocked', 'run_at', millis(run_at))
  end
end

-- A finished job leaves its line, and the next job of the line may run.
local function leave_line(id, ordering)
  local line = order_key(ordering)
  redis.call('LREM', line, 1, id)
  local next_id = redis.call('LINDEX', line, 0)
  if next_id and redis.call('ZREM', BLOCKED, next_id) == 1 then
    local f = redis.call('HMGET', job_key(next_id), 'priority', 'run_at')
    place(next_id, tonumber(f[1]), tonumber(f[2]))
  end
end

local function release_dedup(id, dedup)
  if dedup and dedup ~= '' and redis.call('HGET', DEDUP, dedup) == id then
    redis.call('HDEL', DEDUP, dedup)
  end
end

local function clear_lease(key)
  redis.call('HDEL', key, 'lease_token', 'worker', 'leased_at', 'lease_until')
end

-- Deletes a job for good, leaving the marker that makes its id a duplicate for the retention.
local function forget(id)
  redis.call('DEL', job_key(id))
  redis.call('SET', BASE .. ':done:' .. id, '1', 'PX', RETENTION)
end

-- Appends one attempt, already JSON, to the job's history (a JSON array kept as a string).
local function add_attempt(key, attempt)
  local history = redis.call('HGET', key, 'history')
  if history == '[]' then
    history = '[' .. attempt .. ']'
  else
    history = string.sub(history, 1, -2) .. ',' .. attempt .. ']'
  end
  redis.call('HSET', key, 'history', history)
end

-- Moves a running job to the dead letters; it leaves its line and frees its de-duplication key.
local function bury(id, reason)
  local key = job_key(id)
  local f = redis.call('HMGET', key, 'dedup', 'ordering')
  redis.call('ZREM', ACTIVE, id)
  clear_lease(key)
  redis.call('HSET', key, 'state', 'dead', 'reason', reason, 'finished_at', millis(NOW))
  redis.call('ZADD', DEAD, 0, dead_member(NOW, id))
  release_dedup(id, f[1])
  if f[2] and f[2] ~= '' then
    leave_line(id, f[2])
  end
end

-- Stores one new job unless its id or de-duplication key is taken: returns the id that answers
-- and whether that was a duplicate (1) or this job (0).
local function store(id, type, payload, dedup, ordering, priority, run_at, max_attempts, backoff,
                     timeout)
  if redis.call('EXISTS', job_key(id), BASE .. ':done:' .. id) > 0 then
    return id, 1
  end
  if dedup ~= '' then
    local holder = redis.call('HGET', DEDUP, dedup)
    -- a holder whose hash is gone (deleted by hand, or evicted by a Redis that is not configured
    -- with maxmemory-policy noeviction) must not block its key for ever
    if holder and redis.call('EXISTS', job_key(holder)) == 1 then
      return holder, 1
    end
    redis.call('HSET', DEDUP, dedup, id)
  end
  redis.call('HSET', job_key(id), 'type', type, 'payload', payload, 'priority', priority,
    'attempts', 0, 'max_attempts', max_attempts, 'backoff', backoff, 'timeout', timeout,
    'dedup', dedup, 'ordering', ordering, 'created_at', millis(NOW), 'history', '[]')
  if ordering ~= '' then
    join_line(id, ordering, tonumber(priority), tonumber(run_at))
  else
    place(id, tonumber(priority), tonumber(run_at))
  end
  return id, 0
end

local function wake_workers()
  if woke then
    redis.call('PUBLISH', BASE .. ':wake', '1')
  end
end

