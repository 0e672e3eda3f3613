-- dead_page.lua: dead jobs newest first, between lexical bounds of DEAD's members: ARGV[4] is the
-- upper bound ('+', or '(' and a member or died-at prefix), ARGV[5] the lower ('-', or '[' and a
-- died-at prefix). ARGV[6] keeps only one job type ('' for any); ARGV[7] is how many to return.
-- Returns per job: its DEAD member, then its hash as field, value pairs.

local max, min, type, limit = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
local SCAN = 500
local found = {}
local offset = 0
while #found < limit do
  local members = redis.call('ZREVRANGEBYLEX', DEAD, max, min, 'LIMIT', offset, SCAN)
  for _, member in ipairs(members) do
    local key = job_key(string.sub(member, 17))
    if type == '' or redis.call('HGET', key, 'type') == type then
      found[#found + 1] = { member, redis.call('HGETALL', key) }
      if #found == limit then
        break
      end
    end
  end
  if #members < SCAN then
    break
  end
  offset = offset + SCAN
end
return found
