package dev.odim.payments.paystack;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a Paystack call came to. {@link Ok} carries the answer; the others are outcomes a caller is
 * expected to branch on, never exceptions:
 *
 * <pre>{@code
 * switch (paystack.verify(reference)) {
 *   case PaystackResult.Ok<Transaction>(var tx) -> settle(tx);
 *   case PaystackResult.NotFound<Transaction> nf -> markUnknown(reference);
 *   case PaystackResult.Unavailable<Transaction> u -> retryLater(u.retryAfter());
 *   case PaystackResult.Refused<Transaction> r -> log(r.message());
 *   case PaystackResult.DuplicateReference<Transaction> d -> throw new AssertionError(d);
 * }
 * }</pre>
 *
 * Broken setup (a wrong secret key) and a malformed answer are {@link PaystackException}s instead:
 * no branch in the caller can fix them.
 *
 * @param <T> the answer's type
 */
public sealed interface PaystackResult<T>
    permits PaystackResult.Ok,
        PaystackResult.NotFound,
        PaystackResult.DuplicateReference,
        PaystackResult.Refused,
        PaystackResult.Unavailable {

  /** Paystack answered the call with {@code value}. */
  record Ok<T>(T value) implements PaystackResult<T> {
    public Ok {
      Objects.requireNonNull(value, "value");
    }
  }

  /** Paystack knows no such reference (404, or 400 "... not found"). */
  record NotFound<T>(String message) implements PaystackResult<T> {}

  /**
   * Paystack already has something under this reference and it was not created by this call (a
   * repeat of a reference by our own retry is resolved into {@link Ok} by the client).
   */
  record DuplicateReference<T>(String reference, String message) implements PaystackResult<T> {}

  /** Paystack refused the request (a 4xx other than the two above): retrying it will not help. */
  record Refused<T>(int status, String message) implements PaystackResult<T> {}

  /**
   * Paystack could not be reached or did not answer usefully, or the call was not even tried; try
   * again no sooner than {@code retryAfter} ({@link Duration#ZERO}: whenever suits).
   */
  record Unavailable<T>(Reason reason, Duration retryAfter, String message)
      implements PaystackResult<T> {
    public Unavailable {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(retryAfter, "retryAfter");
    }
  }

  /** Why a call is {@link Unavailable}. */
  enum Reason {
    /** Too many recent calls failed; no request was sent. */
    CIRCUIT_OPEN,
    /** Too many calls to Paystack are in flight from this process; no request was sent. */
    BULKHEAD_FULL,
    /** The last attempt did not get an answer within the timeout. */
    TIMED_OUT,
    /** The last attempt got a 5xx or an I/O error. */
    FAILING,
    /** Paystack asked us to slow down for longer than we are willing to wait in the call. */
    RATE_LIMITED,
    /**
     * A call that is not safe to repeat (a refund) got no clear answer: it may or may not have
     * happened. Look before trying again (e.g. list the transaction's refunds).
     */
    OUTCOME_UNKNOWN
  }

  /** Whether this is {@link Ok}. */
  default boolean isOk() {
    return this instanceof Ok;
  }

  /** The answer of an {@link Ok}; anything else throws {@link PaystackResultException}. */
  default T orElseThrow() {
    if (this instanceof Ok<T> ok) {
      return ok.value();
    }
    throw new PaystackResultException(this);
  }

  /** This result with an {@link Ok}'s value mapped; the other cases unchanged. */
  @SuppressWarnings("unchecked")
  default <U> PaystackResult<U> map(Function<? super T, ? extends U> mapper) {
    if (this instanceof Ok<T> ok) {
      return new Ok<>(mapper.apply(ok.value()));
    }
    return (PaystackResult<U>) this;
  }
}
