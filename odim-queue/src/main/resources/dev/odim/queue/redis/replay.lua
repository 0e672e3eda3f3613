-- replay.lua: sends dead jobs back, due at NOW, with a fresh set of attempts and their history
-- kept. A job whose de-duplication key is now held by a live job stays dead: running it would
-- break the key's promise. A job with an ordering key joins the end of its key's line.
-- ARGV[4..]: ids (those not dead in this queue are skipped). Returns the ids replayed.

local replayed = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  local key = job_key(id)
  local f = redis.call('HMGET', key, 'state', 'dedup', 'ordering', 'priority', 'finished_at')
  local holder = f[1] == 'dead' and f[2] ~= '' and redis.call('HGET', DEDUP, f[2])
  if f[1] == 'dead' and not (holder and holder ~= id) then
    if f[2] ~= '' then
      redis.call('HSET', DEDUP, f[2], id)
    end
    redis.call('ZREM', DEAD, dead_member(tonumber(f[5]), id))
    redis.call('HDEL', key, 'reason', 'finished_at')
    local state
    if f[3] ~= '' then
      state = join_line(id, f[3], tonumber(f[4]), NOW)
    else
      state = place(id, tonumber(f[4]), NOW)
    end
    redis.call('HDEL', ATTEMPTS, id)
    redis.call('HSET', key, 'state', state, 'run_at', millis(NOW))
    replayed[#replayed + 1] = id
  end
end
wake_workers()
return replayed
