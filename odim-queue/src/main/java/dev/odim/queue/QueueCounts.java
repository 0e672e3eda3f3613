package dev.odim.queue;

import java.time.Duration;

/**
 * How many jobs one queue holds in each state, and how long the oldest due job has waited.
 *
 * @param oldestWaiting how long the longest-waiting due job has been due; zero when none waits
 */
public record QueueCounts(
    String queue, long waiting, long scheduled, long running, long dead, Duration oldestWaiting) {}
