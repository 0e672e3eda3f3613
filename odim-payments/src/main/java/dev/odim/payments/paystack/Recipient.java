package dev.odim.payments.paystack;

import java.util.Objects;

/**
 * A transfer recipient.
 *
 * @param recipientCode Paystack's code, e.g. {@code RCP_...}, to name in a {@link TransferRequest}
 * @param id Paystack's id
 * @param type the recipient's type
 * @param name the account holder's name
 * @param currency the account's currency code
 */
public record Recipient(String recipientCode, long id, String type, String name, String currency) {
  public Recipient {
    Objects.requireNonNull(recipientCode, "recipientCode");
  }
}
