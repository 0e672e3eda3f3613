package dev.odim.queue;

/**
 * Runs one attempt of a job. Returning normally completes the job; throwing {@link
 * PermanentJobFailure} sends it to the dead letters; any other exception (or a timeout) is a failed
 * attempt, retried after the job's backoff while attempts remain. Handlers run on virtual threads
 * and must be idempotent: a worker that dies after the work but before the completion is recorded
 * leaves the job to be run again (at-least-once). For exactly-once in effect, use a {@link
 * TransactionalJobHandler}.
 */
@FunctionalInterface
public interface JobHandler {
  void handle(JobContext job) throws Exception;
}
