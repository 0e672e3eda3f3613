package dev.odim.ledger;

import dev.odim.core.Money;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A multi-leg entry, such as a fan's payment split between the creator and the platform fee: debits
 * and credits that sum to zero per currency, applied all together or not at all. The ledger records
 * it as a linked chain of transfers whose ids derive from the entry's id, so posting the same entry
 * twice is idempotent like a transfer.
 *
 * @param id the caller-chosen id
 * @param code the host's transfer type for every resulting transfer
 * @param legs at least two
 * @param metadata a JSON object for every resulting transfer
 */
public record JournalEntry(UUID id, int code, List<Leg> legs, String metadata) {

  public JournalEntry {
    Objects.requireNonNull(id, "id");
    legs = List.copyOf(legs);
    Objects.requireNonNull(metadata, "metadata");
  }

  public static JournalEntry of(UUID id, int code, Leg... legs) {
    return new JournalEntry(id, code, List.of(legs), "{}");
  }

  /**
   * One side of an entry.
   *
   * @param accountId the account
   * @param amount how much, positive
   * @param debit true for a debit, false for a credit
   */
  public record Leg(UUID accountId, Money amount, boolean debit) {
    public Leg {
      Objects.requireNonNull(accountId, "accountId");
      Objects.requireNonNull(amount, "amount");
    }

    public static Leg debit(UUID accountId, Money amount) {
      return new Leg(accountId, amount, true);
    }

    public static Leg credit(UUID accountId, Money amount) {
      return new Leg(accountId, amount, false);
    }
  }
}
