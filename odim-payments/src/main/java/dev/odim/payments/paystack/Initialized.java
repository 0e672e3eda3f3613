package dev.odim.payments.paystack;

import java.net.URI;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A started checkout: send the payer to {@link #authorizationUrl()}.
 *
 * <p>Both {@code authorizationUrl} and {@code accessCode} are null in one case only: an earlier
 * attempt of this same call created the transaction but its answer was lost, the retry was refused
 * as a duplicate, and verifying the reference found the transaction. Paystack does not repeat the
 * checkout address on verification, so the caller cannot redirect the payer and should start a new
 * checkout under a new reference (the old one stays unpaid).
 *
 * @param reference our reference
 * @param authorizationUrl Paystack's hosted checkout for this transaction
 * @param accessCode the checkout's access code (for Paystack's inline popup)
 */
public record Initialized(
    String reference, @Nullable URI authorizationUrl, @Nullable String accessCode) {

  public Initialized {
    Objects.requireNonNull(reference, "reference");
  }

  /** Whether the payer can be sent to checkout ({@link #authorizationUrl()} is known). */
  public boolean checkoutKnown() {
    return authorizationUrl != null;
  }
}
