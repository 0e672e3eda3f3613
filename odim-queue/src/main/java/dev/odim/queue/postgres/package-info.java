/**
 * The PostgreSQL backend, the queue's default: jobs live in their own schema, are fetched with
 * {@code FOR UPDATE SKIP LOCKED}, can be enqueued inside the caller's transaction (a transactional
 * outbox) and wake idle workers with LISTEN/NOTIFY. Build one with {@link
 * dev.odim.queue.postgres.PostgresBackend#builder(dev.odim.core.db.Db)}.
 */
@NullMarked
package dev.odim.queue.postgres;

import org.jspecify.annotations.NullMarked;
