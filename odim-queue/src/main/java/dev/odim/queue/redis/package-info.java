/**
 * The queue's Redis backend ({@link dev.odim.queue.redis.RedisBackend}), on Lettuce: atomic state
 * moves in Lua scripts, leases and delayed jobs in sorted sets, pub/sub wake-ups, and
 * exactly-once-in-effect transactional handlers through a table in PostgreSQL. Lettuce is an
 * optional dependency of odim-queue: a host that uses this package adds {@code
 * io.lettuce:lettuce-core}.
 */
@NullMarked
package dev.odim.queue.redis;

import org.jspecify.annotations.NullMarked;
