-- counts.lua: how many jobs the queue holds in each state at NOW, and since when the oldest due
-- job has waited. Scheduled jobs past their run-at and running jobs past their lease expiry are
-- due (the next lease call moves them), so they count as waiting; so do blocked jobs that are due
-- and wait their turn behind an earlier job of their ordering key.
-- Returns waiting, scheduled, running, dead, and the oldest due millis or -1 when none waits.

local function count(set, min, max)
  return redis.call('ZCOUNT', set, min, max)
end

local later = '(' .. millis(NOW)
local waiting = redis.call('ZCARD', DUE) + count(SCHEDULED, '-inf', NOW)
  + count(ACTIVE, '-inf', NOW) + count(BLOCKED, '-inf', NOW)
local scheduled = count(SCHEDULED, later, '+inf') + count(BLOCKED, later, '+inf')
local running = count(ACTIVE, later, '+inf')
local dead = redis.call('ZCARD', DEAD)

local oldest = -1
local function consider(due_at)
  if oldest < 0 or due_at < oldest then
    oldest = due_at
  end
end
-- Within one priority band of DUE the first member is the oldest due, so one look per band
-- present finds the oldest without a scan.
local from = '-inf'
while true do
  local first = redis.call('ZRANGEBYSCORE', DUE, from, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #first == 0 then
    break
  end
  local band = math.floor(tonumber(first[2]) / BAND)
  consider(tonumber(first[2]) - band * BAND)
  from = millis((band + 1) * BAND)
end
for _, set in ipairs({ SCHEDULED, ACTIVE, BLOCKED }) do
  local first = redis.call('ZRANGEBYSCORE', set, '-inf', NOW, 'WITHSCORES', 'LIMIT', 0, 1)
  if #first > 0 then
    consider(tonumber(first[2]))
  end
end
return { waiting, scheduled, running, dead, millis(oldest) }
