package dev.odim.payments.paystack;

import dev.odim.core.Money;
import java.util.Map;
import java.util.Objects;

/**
 * A charge of a saved, reusable authorization without the payer, e.g. a subscription's renewal
 * ({@code POST /transaction/charge_authorization}).
 *
 * @param email the email the authorization belongs to
 * @param amount what to charge, in minor units
 * @param authorizationCode from {@link Transaction.Authorization#authorizationCode()}
 * @param reference our reference (letters, digits, {@code -}, {@code .}, {@code =}); a second
 *     charge under it is refused, which makes retrying safe
 * @param metadata echoed back on the transaction
 */
public record ChargeRequest(
    String email,
    Money amount,
    String authorizationCode,
    String reference,
    Map<String, Object> metadata) {

  public ChargeRequest {
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(authorizationCode, "authorizationCode");
    Objects.requireNonNull(reference, "reference");
    if (!amount.isPositive()) {
      throw new IllegalArgumentException("amount must be positive, was " + amount);
    }
    if (!InitializeRequest.REFERENCE.matcher(reference).matches()) {
      throw new IllegalArgumentException(
          "reference may hold only letters, digits, -, . and =, was " + reference);
    }
    metadata = Map.copyOf(metadata);
  }
}
