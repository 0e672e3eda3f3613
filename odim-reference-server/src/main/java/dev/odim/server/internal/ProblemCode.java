package dev.odim.server.internal;

/**
 * The table of problems the HTTP edge can answer with: one code, one status, one title, so that the
 * same failure always reads the same way. Domain modules add their rows here as they land.
 */
public enum ProblemCode {
  BAD_REQUEST(400, "The request could not be understood."),
  INVALID_JSON(400, "The request body is not valid JSON."),
  VALIDATION_FAILED(400, "Some fields of the request are invalid."),
  NOT_FOUND(404, "There is nothing at this address."),
  METHOD_NOT_ALLOWED(405, "This address does not accept that method."),
  PAYLOAD_TOO_LARGE(413, "The request body is too large."),
  UNSUPPORTED_MEDIA_TYPE(415, "This address accepts JSON only."),
  SERVICE_UNAVAILABLE(503, "The service is not ready. Try again shortly."),
  INTERNAL_ERROR(500, "Something went wrong on our side. It has been logged.");

  private static final String TYPE_BASE = "https://odim.dev/problems/";

  private final int status;
  private final String title;

  ProblemCode(int status, String title) {
    this.status = status;
    this.title = title;
  }

  /** The HTTP status this code is always sent with. */
  public int status() {
    return status;
  }

  /** The fixed title. */
  public String title() {
    return title;
  }

  /** The code as it appears on the wire, e.g. {@code not_found}. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The problem type URI, e.g. {@code https://odim.dev/problems/not_found}. */
  public String type() {
    return TYPE_BASE + code();
  }

  /** Builds the problem for one request. */
  public HttpProblem problem(String detail, String instance) {
    return new HttpProblem(type(), title, status, detail, code(), instance, java.util.List.of());
  }

  /** Builds a validation problem listing the invalid fields. */
  public HttpProblem problem(
      String detail, String instance, java.util.List<HttpProblem.FieldError> errors) {
    return new HttpProblem(type(), title, status, detail, code(), instance, errors);
  }
}
