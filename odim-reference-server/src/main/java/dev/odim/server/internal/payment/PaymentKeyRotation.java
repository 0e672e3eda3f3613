package dev.odim.server.internal.payment;

import dev.odim.core.crypto.FieldCipher;
import dev.odim.core.crypto.Reencryption;
import dev.odim.core.db.Db;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a key rotation, moves the payment secrets onto the new key: subscriptions' saved card
 * authorizations and last four digits, and payout accounts' numbers and holders' names. Runs beside
 * the users' rotation at start-up; idempotent and safe on several instances at once, as odim-core's
 * {@link Reencryption} is.
 */
public final class PaymentKeyRotation {
  private static final Logger log = LoggerFactory.getLogger(PaymentKeyRotation.class);

  private final List<Reencryption> columns;

  public PaymentKeyRotation(Db db, FieldCipher cipher) {
    this.columns =
        List.of(
            Reencryption.builder(db, cipher)
                .table("odim_server.subscriptions")
                .column("authorization_encrypted")
                .context(id -> Subscriptions.authorizationContext((UUID) id))
                .build(),
            Reencryption.builder(db, cipher)
                .table("odim_server.subscriptions")
                .column("card_last4_encrypted")
                .context(id -> Subscriptions.last4Context((UUID) id))
                .build(),
            Reencryption.builder(db, cipher)
                .table("odim_server.payout_accounts")
                .idColumn("creator_id")
                .column("account_number_encrypted")
                .context(id -> PayoutAccounts.numberContext((UUID) id))
                .build(),
            Reencryption.builder(db, cipher)
                .table("odim_server.payout_accounts")
                .idColumn("creator_id")
                .column("account_name_encrypted")
                .context(id -> PayoutAccounts.nameContext((UUID) id))
                .build());
  }

  /** Re-encrypts every value still under an older key; returns how many it rewrote. */
  public long run() {
    long rewritten = 0;
    for (Reencryption column : columns) {
      rewritten += column.run().rewritten();
    }
    if (rewritten > 0) {
      log.info("Moved {} payment secrets onto the active encryption key", rewritten);
    }
    return rewritten;
  }
}
