package dev.odim.server.internal.account;

import dev.odim.core.crypto.BlindIndex;
import dev.odim.core.crypto.FieldCipher;
import dev.odim.core.crypto.Reencryption;
import dev.odim.core.db.Db;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a key rotation ({@code ODIM_ENCRYPTION_KEYS} with a new key first), moves the users' email
 * and name onto the new key and recomputes the email's blind index, so that the old key can be
 * removed. It runs at start-up whenever the ring holds more than one key; it is idempotent and safe
 * to run on several instances at once (odim-core's {@link Reencryption} writes a row only if it is
 * still the value it read).
 */
public final class UserKeyRotation {
  private static final Logger log = LoggerFactory.getLogger(UserKeyRotation.class);

  private final Reencryption emails;
  private final Reencryption names;

  public UserKeyRotation(Db db, FieldCipher cipher, BlindIndex emailIndex) {
    this.emails =
        Reencryption.builder(db, cipher)
            .table("odim_server.users")
            .column("email_encrypted")
            .context(id -> Users.emailContext((UUID) id))
            .blindIndex("email_index", emailIndex)
            .build();
    this.names =
        Reencryption.builder(db, cipher)
            .table("odim_server.users")
            .column("name_encrypted")
            .context(id -> Users.nameContext((UUID) id))
            .build();
  }

  /** Re-encrypts every user row still under an older key; returns how many values it rewrote. */
  public long run() {
    long rewritten = emails.run().rewritten() + names.run().rewritten();
    if (rewritten > 0) {
      log.info("Moved {} personal-data values of users onto the active encryption key", rewritten);
    }
    return rewritten;
  }
}
