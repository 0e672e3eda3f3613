package dev.odim.ledger.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One account's balances while a batch is applied in memory, with the postings it produced. */
final class AccountState {
  final UUID id;
  final String currency;
  final boolean debitsMustNotExceedCredits;
  final boolean creditsMustNotExceedDebits;
  final boolean closed;
  long debitsPending;
  long debitsPosted;
  long creditsPending;
  long creditsPosted;
  long version;
  final long loadedVersion;
  final long loadedDebitsPending;
  final long loadedDebitsPosted;
  final long loadedCreditsPending;
  final long loadedCreditsPosted;
  final List<PostingRow> postings = new ArrayList<>();

  AccountState(
      UUID id,
      String currency,
      boolean debitsMustNotExceedCredits,
      boolean creditsMustNotExceedDebits,
      boolean closed,
      long debitsPending,
      long debitsPosted,
      long creditsPending,
      long creditsPosted,
      long version) {
    this.id = id;
    this.currency = currency;
    this.debitsMustNotExceedCredits = debitsMustNotExceedCredits;
    this.creditsMustNotExceedDebits = creditsMustNotExceedDebits;
    this.closed = closed;
    this.debitsPending = debitsPending;
    this.debitsPosted = debitsPosted;
    this.creditsPending = creditsPending;
    this.creditsPosted = creditsPosted;
    this.version = version;
    this.loadedVersion = version;
    this.loadedDebitsPending = debitsPending;
    this.loadedDebitsPosted = debitsPosted;
    this.loadedCreditsPending = creditsPending;
    this.loadedCreditsPosted = creditsPosted;
  }

  boolean changed() {
    return version != loadedVersion;
  }

  /**
   * Applies signed changes if they keep every balance within a long and within the account's limit;
   * returns the code of the first rule they break, or null when applied.
   */
  @Nullable Rejection change(
      long dDebitsPending, long dDebitsPosted, long dCreditsPending, long dCreditsPosted) {
    long dp;
    long dpo;
    long cp;
    long cpo;
    try {
      dp = Math.addExact(debitsPending, dDebitsPending);
      dpo = Math.addExact(debitsPosted, dDebitsPosted);
      cp = Math.addExact(creditsPending, dCreditsPending);
      cpo = Math.addExact(creditsPosted, dCreditsPosted);
      // The limit checks add two balances; they must not overflow either.
      Math.addExact(dp, dpo);
      Math.addExact(cp, cpo);
    } catch (ArithmeticException e) {
      return Rejection.OVERFLOW;
    }
    if (dp < 0 || dpo < 0 || cp < 0 || cpo < 0) {
      throw new IllegalStateException("negative balance on " + id + ": an engine bug");
    }
    if (debitsMustNotExceedCredits && dp + dpo > cpo) {
      return Rejection.EXCEEDS_CREDITS;
    }
    if (creditsMustNotExceedDebits && cp + cpo > dpo) {
      return Rejection.EXCEEDS_DEBITS;
    }
    debitsPending = dp;
    debitsPosted = dpo;
    creditsPending = cp;
    creditsPosted = cpo;
    return null;
  }

  void post(UUID transferId, String event) {
    version++;
    postings.add(
        new PostingRow(
            id,
            version,
            transferId,
            event,
            debitsPending,
            debitsPosted,
            creditsPending,
            creditsPosted));
  }

  /** Takes back a {@link #change}, for a failed linked chain or a rejected other side. */
  void revert(long dDebitsPending, long dDebitsPosted, long dCreditsPending, long dCreditsPosted) {
    debitsPending -= dDebitsPending;
    debitsPosted -= dDebitsPosted;
    creditsPending -= dCreditsPending;
    creditsPosted -= dCreditsPosted;
  }

  /** Takes back the last {@link #post}. */
  void unpost() {
    version--;
    postings.removeLast();
  }

  /** The reasons {@link #change} refuses. */
  enum Rejection {
    OVERFLOW,
    EXCEEDS_CREDITS,
    EXCEEDS_DEBITS
  }

  /** A posting row to insert. */
  record PostingRow(
      UUID accountId,
      long version,
      UUID transferId,
      String event,
      long debitsPending,
      long debitsPosted,
      long creditsPending,
      long creditsPosted) {}
}
