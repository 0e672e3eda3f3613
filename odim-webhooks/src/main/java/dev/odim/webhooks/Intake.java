package dev.odim.webhooks;

/**
 * What {@link Webhooks#receive} did with a delivery: accepted it (stored, or recognized as a
 * duplicate; answer 200) or refused it (answer with the status, code and message given).
 */
public sealed interface Intake {

  /** The delivery is durable (or a duplicate of an event that is): answer 200. */
  record Accepted(Receipt receipt) implements Intake {}

  /**
   * The delivery was refused and nothing was written.
   *
   * @param status the HTTP status to answer: 401 for a bad signature, 403 for a source address
   *     outside the allow-list
   * @param code a stable snake_case code, e.g. {@code invalid_signature}
   * @param message a human message that names neither a secret nor the body
   */
  record Refused(int status, String code, String message) implements Intake {}
}
