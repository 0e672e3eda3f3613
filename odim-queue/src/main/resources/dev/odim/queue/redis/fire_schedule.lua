-- fire_schedule.lua: fires recurring schedule ARGV[4] for slot ARGV[5] (millis) if its last fired
-- slot is earlier (or it never fired): records the slot and stores the slot's job in one step, so
-- that of any number of instances exactly one fires each slot.
-- ARGV[6..15]: the job, as one job of enqueue.lua. Returns 1 when this call fired it, else 0.

local name, slot = ARGV[4], tonumber(ARGV[5])
local last = redis.call('HGET', SCHEDULES, name)
if last and tonumber(last) >= slot then
  return 0
end
redis.call('HSET', SCHEDULES, name, ARGV[5])
store(finished_among({ ARGV[6] }), ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[12], ARGV[13], ARGV[14],
  ARGV[15])
wake_workers()
return 1
