package dev.odim.uploads;

import org.jdbi.v3.core.Handle;

/**
 * Called once when an upload holds all its bytes, inside the transaction that marks it finished:
 * the host records what the upload became (a content record) in the same commit. When it throws,
 * the transaction rolls back, the client gets a 500 and the upload stays complete but unfinished;
 * an empty PATCH at the final offset tries the completion again. Not called for partial uploads,
 * which are pieces of a final upload.
 *
 * <p>Like every {@code Db} transaction it is retried on a serialization failure or deadlock, so the
 * hook may run more than once and must have no effects outside the transaction (enqueue a job for
 * those).
 */
@FunctionalInterface
public interface UploadCompletion {

  void completed(Handle handle, UploadInfo upload);

  /** Does nothing. */
  static UploadCompletion none() {
    return (handle, upload) -> {};
  }
}
