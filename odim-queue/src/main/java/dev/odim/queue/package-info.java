/**
 * Durable jobs: enqueue (inside the caller's transaction on PostgreSQL), workers on virtual threads
 * with leases and heartbeats, retries with exponential backoff and jitter, dead letters with the
 * history of every attempt, replay, ordering keys, recurring schedules and rate limits. Backends
 * implement {@link dev.odim.queue.spi.JobBackend}: {@link dev.odim.queue.postgres.PostgresBackend}
 * (default) and {@link dev.odim.queue.redis.RedisBackend}.
 */
@NullMarked
package dev.odim.queue;

import org.jspecify.annotations.NullMarked;
