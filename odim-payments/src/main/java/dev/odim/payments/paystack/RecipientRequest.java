package dev.odim.payments.paystack;

import java.util.Currency;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Someone to pay out to ({@code POST /transferrecipient}). Paystack answers an existing recipient
 * for the same account, so retrying this call is safe.
 *
 * @param type {@code nuban} (Nigerian bank account), {@code mobile_money}, {@code basa}, {@code
 *     ghipss} or {@code authorization}
 * @param name the account holder's name
 * @param accountNumber the account number, or null for {@code authorization}
 * @param bankCode the bank's code, or null for {@code authorization}
 * @param authorizationCode a saved authorization to pay out to, for type {@code authorization}
 * @param currency the account's currency
 */
public record RecipientRequest(
    String type,
    String name,
    @Nullable String accountNumber,
    @Nullable String bankCode,
    @Nullable String authorizationCode,
    Currency currency) {

  public RecipientRequest {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(currency, "currency");
  }

  /** A Nigerian bank account. */
  public static RecipientRequest nuban(String name, String accountNumber, String bankCode) {
    return new RecipientRequest(
        "nuban", name, accountNumber, bankCode, null, Currency.getInstance("NGN"));
  }
}
