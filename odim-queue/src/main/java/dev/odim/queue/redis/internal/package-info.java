/**
 * The Redis backend's machinery: key names, the Lua scripts that make every state move atomic, the
 * mapping between Redis hashes and the queue's records, dead-letter paging, pub/sub wake-ups and
 * the database table behind transactional completion. Not part of the API.
 */
@NullMarked
package dev.odim.queue.redis.internal;

import org.jspecify.annotations.NullMarked;
