-- dead_page.lua: dead jobs newest first, between lexical bounds of DEAD's members: ARGV[4] is the
-- upper bound ('+', or '(' and a member or died-at prefix), ARGV[5] the lower ('-', or '[' and a
-- died-at prefix). ARGV[6] keeps only one job type ('' for any); ARGV[7] is how many to return.
-- Returns per job: its DEAD member, its hash as field, value pairs, and its attempts made.

local max, min, type, limit = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
local SCAN = 500
local found = {}
local offset = 0
while #found < limit do
  local members = redis.call('ZREVRANGEBYLEX', DEAD, max, min, 'LIMIT', offset, SCAN)
  for _, member in ipairs(members) do
    local id = string.sub(member, 17)
    local key = job_key(id)
    if type == '' or redis.call('HGET', key, 'type') == type then
      found[#found + 1] = { member, redis.call('HGETALL', key),
        redis.call('HGET', ATTEMPTS, id) or '0' }
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
