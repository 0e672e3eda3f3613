package dev.odim.payments.paystack;

import dev.odim.core.Money;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A checkout to start ({@code POST /transaction/initialize}).
 *
 * @param email the payer's email
 * @param amount what to charge, in minor units (kobo for NGN); must be positive
 * @param reference our reference: letters, digits, {@code -}, {@code .} and {@code =}; Paystack
 *     refuses a second transaction under it, which is what makes retrying this call safe
 * @param callbackUrl where the payer returns after checkout, or null for the dashboard's setting
 * @param metadata echoed back on the transaction and its webhooks
 * @param channels the payment channels to offer ({@code card}, {@code bank_transfer}, ...), or
 *     empty for all
 */
public record InitializeRequest(
    String email,
    Money amount,
    String reference,
    @Nullable URI callbackUrl,
    Map<String, Object> metadata,
    List<String> channels) {

  static final Pattern REFERENCE = Pattern.compile("[A-Za-z0-9.=-]{1,100}");

  public InitializeRequest {
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(reference, "reference");
    if (!amount.isPositive()) {
      throw new IllegalArgumentException("amount must be positive, was " + amount);
    }
    if (!REFERENCE.matcher(reference).matches()) {
      throw new IllegalArgumentException(
          "reference may hold only letters, digits, -, . and =, was " + reference);
    }
    metadata = Map.copyOf(metadata);
    channels = List.copyOf(channels);
  }

  /** A request with no callback, metadata or channel restriction. */
  public static InitializeRequest of(String email, Money amount, String reference) {
    return new InitializeRequest(email, amount, reference, null, Map.of(), List.of());
  }

  /** This request with the payer returned to {@code callbackUrl}. */
  public InitializeRequest withCallbackUrl(URI callbackUrl) {
    return new InitializeRequest(email, amount, reference, callbackUrl, metadata, channels);
  }

  /** This request carrying {@code metadata}. */
  public InitializeRequest withMetadata(Map<String, Object> metadata) {
    return new InitializeRequest(email, amount, reference, callbackUrl, metadata, channels);
  }

  /** This request offering only {@code channels}. */
  public InitializeRequest withChannels(List<String> channels) {
    return new InitializeRequest(email, amount, reference, callbackUrl, metadata, channels);
  }
}
