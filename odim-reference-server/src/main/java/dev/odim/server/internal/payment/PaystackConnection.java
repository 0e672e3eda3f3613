package dev.odim.server.internal.payment;

import dev.odim.payments.paystack.PaystackClient;
import dev.odim.server.internal.ProblemCode;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The Paystack client the payment routes and jobs share (one client, so one circuit breaker and
 * bulkhead for the process). It is set once the server knows where Paystack, or the simulator on
 * its own port, listens; until then callers get a retryable refusal.
 */
public final class PaystackConnection {
  private final AtomicReference<@Nullable PaystackClient> client = new AtomicReference<>();

  /** The client to use from now on. */
  public void use(PaystackClient paystack) {
    client.set(paystack);
  }

  /**
   * The client.
   *
   * @throws dev.odim.core.ProblemException 503 while the server is still starting (a job that gets
   *     it is retried)
   */
  public PaystackClient client() {
    PaystackClient paystack = client.get();
    if (paystack == null) {
      throw ProblemCode.SERVICE_UNAVAILABLE.exception("Payments are starting; try again shortly.");
    }
    return paystack;
  }
}
