package dev.odim.queue;

/**
 * A job was refused at enqueue and nothing was written: the message names the field and what it
 * accepts (an oversized or malformed payload, an unknown option value).
 */
public final class InvalidJobException extends QueueException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidJobException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  /** The offending field of the job, e.g. {@code payload} or {@code maxAttempts}. */
  public String field() {
    return field;
  }
}
