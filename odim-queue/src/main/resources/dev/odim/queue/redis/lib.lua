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
-- A job is a hash at <base>:job:<id>, with a field `state` that says where it is:
--   waiting    in DUE: zset scored (priority + 1000) * BAND + due millis, members <seq><id>, so
--              ZPOPMIN gives the smallest priority, then the oldest due, then the first to arrive
--   scheduled  in SCHEDULED, by run-at millis; moved into DUE by the lease script once due
--   blocked    behind the head of its ordering key's line (<base>:order:<key>), in BLOCKED by
--              run-at millis; only a line's head is ever waiting, scheduled or running
--   dead       in DEAD: all scores 0, members <died-at millis, 15 digits>:<id>, so lexical order
--              is time order and a keyset cursor is a member
-- A leased job is running whatever its `state` says (it keeps the one it was leased in): it has a
-- lease record in the LEASES hash and is in ACTIVE by lease expiry millis. Keeping leases out of
-- the job's hash lets the hot moves read and drop a whole batch of them in one command each.
-- A lease record is the token (36 characters), 'd' or '-' (has a de-duplication key), 'o' or '-'
-- (has an ordering key), the leased-at millis in 15 digits, and the worker's id.
--
-- The number of attempts made so far (counting a running one) is kept in the ATTEMPTS hash by id,
-- absent for none, for the same reason.
--
-- A finished job's hash is deleted and its id added to a set of finished ids, one set per
-- retention-long bucket of time (<base>:done:<bucket>), living two buckets long: an id sent
-- again within the retention (an outbox relay resending after a crash) finds itself in this
-- bucket's set or the one before and is answered as a duplicate. One set per bucket lets a batch
-- be marked and checked with one command instead of one key per id.

local DUE, SCHEDULED, ACTIVE, BLOCKED = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local DEAD, DEDUP, SEQ, SCHEDULES, LEASES = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local ATTEMPTS = KEYS[10]
local BASE = ARGV[1]
local NOW = tonumber(ARGV[2])
local RETENTION = tonumber(ARGV[3])

-- 2^42 ms reaches the year 2109, and 2001 bands of it stay below 2^53, where doubles (Lua's
-- numbers and Redis's scores) stop being exact integers.
local BAND = 4398046511104

-- Lua's unpack() is bounded by the C stack (8000 values), so batched commands go in slices.
local SLICE = 1000

-- Jobs made due by this call, as score, id pairs, written by flush_due() in one ZADD.
local pending_due = {}

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

-- Runs one command over many values, a slice of SLICE items (per_item values each) at a time:
-- command key slice..., or command slice... when key is false (DEL of many keys).
local function batched(command, key, values, per_item)
  local step = SLICE * (per_item or 1)
  for first = 1, #values, step do
    local last = math.min(first + step - 1, #values)
    if key then
      redis.call(command, key, unpack(values, first, last))
    else
      redis.call(command, unpack(values, first, last))
    end
  end
end

-- Decides where a job that may run (no ordering key, or the head of its line) goes at NOW and
-- returns its state; the caller records the state in the job's hash.
local function place(id, priority, run_at)
  if run_at > NOW then
    redis.call('ZADD', SCHEDULED, run_at, id)
    return 'scheduled'
  end
  pending_due[#pending_due + 1] = (priority + 1000) * BAND + math.max(run_at, 0)
  pending_due[#pending_due + 1] = id
  return 'waiting'
end

-- Writes the jobs place() made due, numbered in the order they became due; every script that may
-- place a job calls it before it reads DUE or returns.
local function flush_due()
  local count = #pending_due / 2
  if count == 0 then
    return
  end
  local last = redis.call('INCRBY', SEQ, count)
  local args = {}
  for i = 1, count do
    args[#args + 1] = pending_due[2 * i - 1]
    args[#args + 1] = string.format('%015.0f', last - count + i) .. pending_due[2 * i]
  end
  batched('ZADD', DUE, args, 2)
  pending_due = {}
  woke = true
end

-- place() for a job that exists already, recording its new state and run-at.
local function put(id, priority, run_at)
  redis.call('HSET', job_key(id), 'state', place(id, priority, run_at), 'run_at',
    millis(math.max(run_at, 0)))
end

-- Adds a job to its ordering key's line and returns its state: only the head may run.
local function join_line(id, ordering, priority, run_at)
  if redis.call('RPUSH', order_key(ordering), id) == 1 then
    return place(id, priority, run_at)
  end
  redis.call('ZADD', BLOCKED, run_at, id)
  return 'blocked'
end

-- A finished job leaves its line, and the next job of the line may run.
local function leave_line(id, ordering)
  local line = order_key(ordering)
  redis.call('LREM', line, 1, id)
  local next_id = redis.call('LINDEX', line, 0)
  if next_id and redis.call('ZREM', BLOCKED, next_id) == 1 then
    local f = redis.call('HMGET', job_key(next_id), 'priority', 'run_at')
    put(next_id, tonumber(f[1]), tonumber(f[2]))
  end
end

local function release_dedup(id, dedup)
  if dedup and dedup ~= '' and redis.call('HGET', DEDUP, dedup) == id then
    redis.call('HDEL', DEDUP, dedup)
  end
end

-- Whether a lease record (or false) carries the token.
local function held(record, token)
  return record and string.sub(record, 1, 36) == token
end

-- A job leaves its line and frees its de-duplication key when it finishes or dies; the lease
-- record says whether it has either, so most jobs skip the read.
local function let_go(id, record)
  if string.sub(record, 37, 38) ~= '--' then
    local f = redis.call('HMGET', job_key(id), 'dedup', 'ordering')
    release_dedup(id, f[1])
    if f[2] and f[2] ~= '' then
      leave_line(id, f[2])
    end
  end
end

local function drop_lease(id)
  redis.call('HDEL', LEASES, id)
  redis.call('ZREM', ACTIVE, id)
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

-- Moves a leased job to the dead letters.
local function bury(id, record, reason)
  drop_lease(id)
  redis.call('HSET', job_key(id), 'state', 'dead', 'reason', reason, 'finished_at', millis(NOW))
  redis.call('ZADD', DEAD, 0, dead_member(NOW, id))
  let_go(id, record)
end

local function finished_key(at)
  return BASE .. ':done:' .. millis(math.floor(at / RETENTION))
end

-- Marks ids as finished at `at` (millis): duplicates for at least the retention from then.
local function mark_finished(ids, at)
  if #ids == 0 then
    return
  end
  local key = finished_key(at)
  batched('SADD', key, ids)
  if redis.call('PTTL', key) < 0 then
    redis.call('PEXPIRE', key, 2 * RETENTION)
  end
end

-- The subset of ids (as a set) that finished within the retention before NOW.
local function finished_among(ids)
  local finished = {}
  for _, at in ipairs({ NOW, NOW - RETENTION }) do
    for first = 1, #ids, SLICE do
      local last = math.min(first + SLICE - 1, #ids)
      local seen = redis.call('SMISMEMBER', finished_key(at), unpack(ids, first, last))
      for n = first, last do
        if seen[n - first + 1] == 1 then
          finished[ids[n]] = true
        end
      end
    end
  end
  return finished
end

-- Deletes dead jobs for good; their ids stay duplicates for the retention after they died.
local function forget_dead(id, died_at)
  redis.call('DEL', job_key(id))
  redis.call('HDEL', ATTEMPTS, id)
  redis.call('ZREM', DEAD, dead_member(died_at, id))
  mark_finished({ id }, died_at)
end

-- Stores one new job unless its id or de-duplication key is taken: returns the id that answers
-- and whether that was a duplicate (1) or this job (0).
-- `finished` is finished_among() of the call's ids.
local function store(finished, id, type, payload, dedup, ordering, priority, run_at, max_attempts,
                     backoff, timeout)
  if finished[id] or redis.call('EXISTS', job_key(id)) == 1 then
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
  local at = math.max(tonumber(run_at), 0)
  local state
  if ordering ~= '' then
    state = join_line(id, ordering, tonumber(priority), at)
  else
    state = place(id, tonumber(priority), at)
  end
  redis.call('HSET', job_key(id), 'type', type, 'payload', payload, 'priority', priority,
    'run_at', millis(at), 'state', state, 'max_attempts', max_attempts,
    'backoff', backoff, 'timeout', timeout, 'dedup', dedup, 'ordering', ordering,
    'created_at', millis(NOW), 'history', '[]')
  return id, 0
end

local function wake_workers()
  flush_due()
  if woke then
    redis.call('PUBLISH', BASE .. ':wake', '1')
  end
end

