package dev.odim.ledger;

import java.util.List;
import java.util.UUID;

/**
 * The outcome of a journal entry.
 *
 * @param id the entry's id
 * @param code {@link TransferCode#CREATED} or {@link TransferCode#EXISTS} when every transfer
 *     stands; otherwise the failing transfer's code, or {@link TransferCode#INVALID_JOURNAL_ENTRY}
 *     when the entry itself was malformed
 * @param rejectedBecause why the entry itself was malformed, or null
 * @param transfers the result of each resulting transfer, empty when the entry was malformed
 */
public record JournalResult(
    UUID id,
    TransferCode code,
    @org.jspecify.annotations.Nullable JournalCode rejectedBecause,
    List<TransferResult> transfers) {

  public JournalResult {
    transfers = List.copyOf(transfers);
  }

  public boolean ok() {
    return rejectedBecause == null && transfers.stream().allMatch(TransferResult::ok);
  }

  /** Why a journal entry was refused before any transfer was tried. */
  public enum JournalCode {
    TOO_FEW_LEGS,
    /** Debits and credits differ in some currency. */
    NOT_BALANCED,
    AMOUNT_MUST_BE_POSITIVE
  }
}
