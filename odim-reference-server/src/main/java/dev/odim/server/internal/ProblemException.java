package dev.odim.server.internal;

import java.io.Serial;
import java.util.List;

/**
 * Thrown by handlers to answer with a problem from the {@link ProblemCode} table; the exception
 * handler renders it. An expected outcome, so it carries no stack trace.
 */
public final class ProblemException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  private final ProblemCode code;
  private final String detail;
  private final transient List<HttpProblem.FieldError> errors;

  public ProblemException(ProblemCode code, String detail) {
    this(code, detail, List.of());
  }

  public ProblemException(ProblemCode code, String detail, List<HttpProblem.FieldError> errors) {
    super(code.code() + ": " + detail, null, false, false);
    this.code = code;
    this.detail = detail;
    this.errors = List.copyOf(errors);
  }

  /** The row of the table. */
  public ProblemCode code() {
    return code;
  }

  /** The detail for this occurrence. */
  public String detail() {
    return detail;
  }

  /** The invalid fields, for {@link ProblemCode#VALIDATION_FAILED}. */
  public List<HttpProblem.FieldError> errors() {
    return errors;
  }
}
