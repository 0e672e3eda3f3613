package dev.odim.core;

import java.io.Serial;

/**
 * A domain failure on its way to the HTTP edge, which renders its {@link Problem} as {@code
 * application/problem+json}. Throw it where returning a result value through several layers would
 * only add noise.
 */
public class ProblemException extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  private final Problem problem;

  public ProblemException(Problem problem) {
    super(message(problem));
    this.problem = problem;
  }

  public ProblemException(Problem problem, Throwable cause) {
    super(message(problem), cause);
    this.problem = problem;
  }

  private static String message(Problem problem) {
    var detail = problem.detail();
    return problem.code() + ": " + (detail != null ? detail : problem.title());
  }

  /** The problem to render. */
  public Problem problem() {
    return problem;
  }
}
