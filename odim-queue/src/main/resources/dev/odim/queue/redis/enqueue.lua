-- enqueue.lua: stores new jobs, each once, and wakes idle workers with one message per call.
-- ARGV[4..]: ten arguments per job: id, type, payload, de-duplication key ('' for none), ordering
-- key ('' for none), priority, run-at millis, max attempts, backoff spec, timeout millis ('').
-- Returns per job the id that answers and 1 when it was a duplicate, else 0.

local ids = {}
for i = 4, #ARGV, 10 do
  ids[#ids + 1] = ARGV[i]
end
local finished = finished_among(ids)
local answers = {}
for i = 4, #ARGV, 10 do
  local id, duplicate = store(finished, ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3],
    ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8], ARGV[i + 9])
  answers[#answers + 1] = id
  answers[#answers + 1] = duplicate
end
wake_workers()
return answers
