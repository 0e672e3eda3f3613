package dev.odim.server.internal;

import dev.odim.core.Problem;
import dev.odim.core.ProblemException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table of problems the HTTP edge can answer with: one code, one status, one title, so that the
 * same failure always reads the same way. Domain modules add their rows here as they land.
 *
 * <pre>{@code
 * throw ProblemCode.VALIDATION_FAILED.exception("Check the highlighted fields.", errors);
 * }</pre>
 */
public enum ProblemCode {
  BAD_REQUEST(400, "The request could not be understood."),
  INVALID_JSON(400, "The request body is not valid JSON."),
  VALIDATION_FAILED(400, "Some fields of the request are invalid."),
  IDEMPOTENCY_KEY_MISSING(400, "This request needs an Idempotency-Key."),
  IDEMPOTENCY_KEY_INVALID(400, "The Idempotency-Key is malformed."),
  UNAUTHENTICATED(401, "Sign in to continue."),
  SESSION_EXPIRED(401, "Your session has expired."),
  INVALID_CREDENTIALS(401, "The email or password is not right."),
  FORBIDDEN(403, "You may not do this."),
  CROSS_SITE_REQUEST(403, "The request came from another site."),
  NOT_FOUND(404, "There is nothing at this address."),
  METHOD_NOT_ALLOWED(405, "This address does not accept that method."),
  EMAIL_TAKEN(409, "An account with this email exists."),
  HANDLE_TAKEN(409, "Another creator has this handle."),
  TIER_EXISTS(409, "A tier with this name exists."),
  PAYOUT_ACCOUNT_MISSING(409, "Set a payout bank account before asking for a payout."),
  PAYMENT_NOT_REFUNDABLE(409, "This payment cannot be refunded in its present state."),
  CREATOR_BALANCE_INSUFFICIENT(409, "The creator's balance does not cover their part of it."),
  DISPUTE_ALREADY_RESOLVED(409, "This dispute was already resolved the other way."),
  IDEMPOTENCY_KEY_IN_USE(409, "A request with this Idempotency-Key is still running."),
  PRECONDITION_FAILED(412, "The resource changed since you read it."),
  PAYLOAD_TOO_LARGE(413, "The request body is too large."),
  IDEMPOTENCY_KEY_REUSED(422, "The Idempotency-Key was used for another request."),
  PAYOUT_ACCOUNT_REJECTED(422, "The bank account was not accepted for payouts."),
  INSUFFICIENT_BALANCE(422, "The available balance does not cover this amount."),
  REFUND_EXCEEDS_PAYMENT(422, "The refund is more than what is left of the payment."),
  UNSUPPORTED_MEDIA_TYPE(415, "This address accepts JSON only."),
  PRECONDITION_REQUIRED(428, "Say which version you are changing."),
  RATE_LIMITED(429, "Too many requests."),
  PROVIDER_REFUSED(502, "The payment provider refused the request."),
  SERVICE_UNAVAILABLE(503, "The service is not ready. Try again shortly."),
  PROVIDER_UNAVAILABLE(503, "The payment provider is not answering. Try again shortly."),
  INTERNAL_ERROR(500, "Something went wrong on our side. It has been logged.");

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
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The problem for one occurrence, of type {@code https://odim.dev/problems/<code>}. It has no
   * instance: {@link Problems} fills in the request path when it sends it.
   */
  public Problem problem(String detail) {
    return Problem.of(status, code(), title, detail);
  }

  /** The exception a handler throws to answer with this problem. */
  public ProblemException exception(String detail) {
    return new ProblemException(problem(detail));
  }

  /**
   * The exception a handler throws to answer with this problem and extension members (RFC 9457
   * section 3.2), e.g. the amounts a refusal is about, so a client need not parse the detail.
   */
  public ProblemException exception(String detail, Map<String, Object> members) {
    return new ExtendedProblemException(problem(detail), members);
  }

  /** The exception a handler throws to answer with this problem listing the invalid fields. */
  public ProblemException exception(String detail, List<Problem.FieldError> errors) {
    return new ProblemException(problem(detail).withErrors(errors));
  }
}
