-- purge.lua: the retention policy: deletes up to ARGV[5] dead jobs whose DEAD member sorts before
-- ARGV[4] (a died-at prefix: they died before it). Bounded so that one call never blocks Redis
-- for long; the caller repeats while a call deletes a full batch. Returns how many were deleted.

local members = redis.call('ZRANGEBYLEX', DEAD, '-', '(' .. ARGV[4], 'LIMIT', 0, tonumber(ARGV[5]))
for _, member in ipairs(members) do
  forget_dead(string.sub(member, 17), tonumber(string.sub(member, 1, 15)))
end
return #members
