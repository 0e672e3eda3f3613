package dev.odim.payments;

import java.util.Locale;

/**
 * Where a refund stands. The database allows: requested → sending → sent → processed or failed;
 * sending → requested (the attempt never reached Paystack) or unknown (it may have: Paystack takes
 * no reference of ours for a refund, so it is never sent twice blindly); unknown → sent, processed
 * or failed (Paystack has it) or requested (Paystack's list shows it never got it); requested or
 * sending → failed (refused); sending → processed (the webhook overtook the answer).
 */
public enum RefundStatus {
  /** The creator's part is held; the refund is queued to be sent. */
  REQUESTED,
  /** An attempt to send it is under way. */
  SENDING,
  /** Paystack accepted it; {@code refund.processed} or {@code refund.failed} will follow. */
  SENT,
  /**
   * An attempt got no clear answer, so it is not sent again blindly: a look-up job reads Paystack's
   * refunds of the payment (after {@link Refunds.Builder#lookupAfter}) and either finds it or sends
   * it again; a {@code refund.*} webhook (matched by payment and amount) settles it too.
   */
  UNKNOWN,
  /** Paystack refunded it: the ledger entries were reversed in proportion. */
  PROCESSED,
  /** Paystack refused or failed it: the hold was released; the amount can be refunded again. */
  FAILED;

  /** The stored name, e.g. {@code processed}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static RefundStatus fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
