package dev.odim.queue;

import java.util.UUID;

/**
 * What an enqueue did.
 *
 * @param jobId the new job's id, or for a duplicate the id of the unfinished job it matched
 * @param duplicate true when nothing was written because a job with the same id or de-duplication
 *     key exists
 */
public record EnqueueResult(UUID jobId, boolean duplicate) {}
