package dev.odim.queue;

import org.jdbi.v3.core.Handle;

/**
 * A handler whose database writes commit in one transaction with the job's completion: the writes
 * happen exactly once in effect, however often the worker dies or the lease is taken over. On the
 * PostgreSQL backend the job row is deleted in that transaction; on Redis the worker records the
 * job id in the database in that transaction and skips an id it has already recorded.
 *
 * <p>Failure rules are those of {@link JobHandler}; a failed attempt's writes are rolled back.
 */
@FunctionalInterface
public interface TransactionalJobHandler {
  void handle(JobContext job, Handle handle) throws Exception;
}
