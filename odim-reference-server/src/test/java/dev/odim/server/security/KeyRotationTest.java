package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A new key put first in ODIM_ENCRYPTION_KEYS takes over; the old one can then be removed. */
@ExtendWith(PostgresExtension.class)
class KeyRotationTest {

  @Test
  void afterARotationUsersMoveToTheNewKeyAndTheOldKeyCanGo(TestDatabase database) throws Exception {
    String oldKey = key("old");
    String newKey = key("new");
    Session fan;
    Session creator;
    try (SecureServer before =
        new SecureServer(database, Map.of("ODIM_ENCRYPTION_KEYS", oldKey), api -> {})) {
      fan = before.signup("fan");
      creator = before.signup("creator");
      assertThat(
              before
                  .send(
                      "PUT",
                      "/api/creators/me/payout-account",
                      Map.of(
                          "bankCode", "058", "accountNumber", "4402817765", "accountName", "Ada"),
                      creator)
                  .status())
          .isEqualTo(200);
    }

    try (SecureServer rotating =
        new SecureServer(
            database, Map.of("ODIM_ENCRYPTION_KEYS", newKey + "," + oldKey), api -> {})) {
      // Sign-in works at once: the lookup tries the email's index under every key of the ring.
      rotating.login(fan.email(), fan.password());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> rowsUnder(rotating, "old") == 0 && rowsUnder(rotating, "new") > 0);
      await().atMost(Duration.ofSeconds(30)).until(() -> payoutAccountsUnder(rotating, "old") == 0);
    }

    try (SecureServer after =
        new SecureServer(database, Map.of("ODIM_ENCRYPTION_KEYS", newKey), api -> {})) {
      Session again = after.login(fan.email(), fan.password());
      assertThat(after.send("GET", "/api/me", null, again).body().get("email").asText())
          .isEqualTo(fan.email());
      Session creatorAgain = after.login(creator.email(), creator.password());
      assertThat(
              after
                  .send("GET", "/api/creators/me/payout-account", null, creatorAgain)
                  .body()
                  .get("accountLast4")
                  .asText())
          .isEqualTo("7765");
    }
  }

  private static long payoutAccountsUnder(SecureServer platform, String keyId) {
    return platform
        .server
        .db()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT count(*) FROM odim_server.payout_accounts WHERE"
                            + " starts_with(account_number_encrypted, :p)"
                            + " OR starts_with(account_name_encrypted, :p)")
                    .bind("p", "v1." + keyId + ".")
                    .mapTo(Long.class)
                    .one());
  }

  private static long rowsUnder(SecureServer platform, String keyId) {
    return platform
        .server
        .db()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT count(*) FROM odim_server.users"
                            + " WHERE starts_with(email_encrypted, :p) OR starts_with(name_encrypted, :p)")
                    .bind("p", "v1." + keyId + ".")
                    .mapTo(Long.class)
                    .one());
  }

  private static String key(String id) {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return id + ":" + Base64.getEncoder().encodeToString(bytes);
  }
}
