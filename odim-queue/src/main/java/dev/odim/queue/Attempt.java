package dev.odim.queue;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One failed attempt of a job, kept in its history (and so in its dead letter).
 *
 * @param number 1 for the first attempt
 * @param startedAt when the worker leased the job for this attempt
 * @param failedAt when the failure was recorded (for a lost lease: when it was found expired)
 * @param worker the id of the worker that ran it
 * @param errorClass the exception's class name, or {@code LeaseExpired} when the worker vanished
 * @param message the exception's message
 * @param stackSummary the first frames of the stack trace, at most a few lines
 */
public record Attempt(
    int number,
    Instant startedAt,
    Instant failedAt,
    String worker,
    String errorClass,
    @Nullable String message,
    @Nullable String stackSummary) {

  /** The error class recorded for an attempt whose worker stopped heartbeating (killed, hung). */
  public static final String LEASE_EXPIRED = "LeaseExpired";
}
