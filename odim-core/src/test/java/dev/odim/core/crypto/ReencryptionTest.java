package dev.odim.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class ReencryptionTest {
  private static final int ROWS = 500;
  private static Db db;

  private final KeyRing onlyA = KeyRing.of(Keys.A);
  private final KeyRing rotated = KeyRing.of(Keys.B, Keys.A);
  private final KeyRing onlyB = KeyRing.of(Keys.B);

  @BeforeAll
  static void open(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @BeforeEach
  void usersEncryptedUnderA() {
    FieldCipher cipher = FieldCipher.of(onlyA);
    BlindIndex index = emailIndex(onlyA);
    db.useTransaction(
        h -> {
          h.execute("DROP TABLE IF EXISTS crypto_users");
          h.execute(
              "CREATE TABLE crypto_users (id bigint PRIMARY KEY, email text NOT NULL,"
                  + " email_index bytea NOT NULL, phone text)");
          var insert =
              h.prepareBatch(
                  "INSERT INTO crypto_users (id, email, email_index, phone) VALUES (?, ?, ?, ?)");
          for (long id = 1; id <= ROWS; id++) {
            String email = email(id);
            insert.add(
                id,
                cipher.encrypt(email, context(id)),
                index.current(email),
                id % 2 == 0 ? null : cipher.encrypt("+234 800 " + id, "crypto_users.phone:" + id));
          }
          insert.execute();
        });
  }

  private static String email(long id) {
    return "User" + id + "@Example.com";
  }

  private static String context(Object id) {
    return "crypto_users.email:" + id;
  }

  private static BlindIndex emailIndex(KeyRing ring) {
    return BlindIndex.of(ring, "crypto_users.email", BlindIndex.EMAIL);
  }

  private Reencryption emails(KeyRing ring) {
    return Reencryption.builder(db, FieldCipher.of(ring))
        .table("crypto_users")
        .column("email")
        .context(ReencryptionTest::context)
        .blindIndex("email_index", emailIndex(ring))
        .batchSize(50)
        .build();
  }

  /** How sign-in finds a user: by every candidate index, so that a rotation never hides one. */
  private static List<Long> lookUp(Handle handle, BlindIndex index, String email) {
    return handle
        .createQuery("SELECT id FROM crypto_users WHERE email_index IN (<candidates>)")
        .bindList("candidates", index.candidates(email))
        .mapTo(Long.class)
        .list();
  }

  @Test
  void plainJdbcLooksUpByAnArrayOfCandidates() throws Exception {
    BlindIndex index = emailIndex(rotated);
    try (var connection = db.dataSource().getConnection();
        var query =
            connection.prepareStatement("SELECT id FROM crypto_users WHERE email_index = ANY(?)")) {
      query.setArray(
          1,
          connection.createArrayOf(
              "bytea", index.candidates("user42@example.com").toArray(byte[][]::new)));
      try (var rows = query.executeQuery()) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getLong(1)).isEqualTo(42);
        assertThat(rows.next()).isFalse();
      }
    }
  }

  @Test
  void everyRowMovesToTheNewKeyWhileLookupsKeepFindingEveryUser() throws Exception {
    BlindIndex duringRotation = emailIndex(rotated);
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger lookups = new AtomicInteger();
    CompletableFuture<Void> signIns =
        CompletableFuture.runAsync(
            () -> {
              while (!done.get() || lookups.get() < ROWS) {
                long id = ThreadLocalRandom.current().nextLong(1, ROWS + 1);
                List<Long> found =
                    db.withHandle(h -> lookUp(h, duringRotation, " user" + id + "@example.COM"));
                assertThat(found).as("user %d", id).containsExactly(id);
                lookups.incrementAndGet();
              }
            });

    Reencryption.Result result = emails(rotated).run();
    done.set(true);
    signIns.get();

    assertThat(result).isEqualTo(new Reencryption.Result(ROWS, 0));
    FieldCipher newOnly = FieldCipher.of(onlyB);
    BlindIndex newIndex = emailIndex(onlyB);
    List<Map<String, Object>> rows =
        db.withHandle(
            h -> h.createQuery("SELECT * FROM crypto_users ORDER BY id").mapToMap().list());
    assertThat(rows).hasSize(ROWS);
    for (Map<String, Object> row : rows) {
      long id = (Long) row.get("id");
      assertThat(newOnly.decrypt((String) row.get("email"), context(id))).isEqualTo(email(id));
      assertThat((byte[]) row.get("email_index")).isEqualTo(newIndex.current(email(id)));
    }
    for (long id = 1; id <= ROWS; id++) {
      long user = id;
      List<Long> found = db.withHandle(h -> lookUp(h, newIndex, email(user)));
      assertThat(found).containsExactly(user);
    }
    assertThat(emails(rotated).run()).isEqualTo(new Reencryption.Result(0, 0));
  }

  @Test
  void aValueTheApplicationChangesDuringTheRunIsNeverOverwrittenWithTheOldOne() throws Exception {
    FieldCipher app = FieldCipher.of(rotated);
    BlindIndex appIndex = emailIndex(rotated);
    CompletableFuture<Void> changes =
        CompletableFuture.runAsync(
            () -> {
              for (long id = ROWS; id >= 1; id -= 3) {
                String changed = "changed" + id + "@example.com";
                long user = id;
                db.useTransaction(
                    h ->
                        h.createUpdate(
                                "UPDATE crypto_users SET email = ?, email_index = ? WHERE id = ?")
                            .bind(0, app.encrypt(changed, context(user)))
                            .bind(1, appIndex.current(changed))
                            .bind(2, user)
                            .execute());
              }
            });

    Reencryption.Result result = emails(rotated).run();
    changes.get();

    assertThat(result.rewritten() + result.skipped()).isLessThanOrEqualTo(ROWS);
    FieldCipher newOnly = FieldCipher.of(onlyB);
    for (long id = 1; id <= ROWS; id++) {
      long user = id;
      String stored =
          db.withHandle(
              h ->
                  h.createQuery("SELECT email FROM crypto_users WHERE id = ?")
                      .bind(0, user)
                      .mapTo(String.class)
                      .one());
      String expected = (ROWS - id) % 3 == 0 ? "changed" + id + "@example.com" : email(id);
      assertThat(newOnly.decrypt(stored, context(id))).as("user %d", id).isEqualTo(expected);
    }
  }

  @Test
  void aRowChangedBetweenTheReadAndTheWriteKeepsTheApplicationsValue() {
    FieldCipher app = FieldCipher.of(rotated);
    // The context function runs after the page was read and before its batch is written: the
    // moment at which the application's write would be lost without the guard.
    Reencryption job =
        Reencryption.builder(db, FieldCipher.of(rotated))
            .table("crypto_users")
            .column("email")
            .context(
                id -> {
                  if (id.equals(7L)) {
                    db.useTransaction(
                        h ->
                            h.createUpdate("UPDATE crypto_users SET email = ? WHERE id = 7")
                                .bind(0, app.encrypt("new@example.com", context(7L)))
                                .execute());
                  }
                  return context(id);
                })
            .build();

    assertThat(job.run()).isEqualTo(new Reencryption.Result(ROWS - 1, 1));
    String stored =
        db.withHandle(
            h ->
                h.createQuery("SELECT email FROM crypto_users WHERE id = 7")
                    .mapTo(String.class)
                    .one());
    assertThat(FieldCipher.of(onlyB).decrypt(stored, context(7L))).isEqualTo("new@example.com");
  }

  @Test
  void aColumnWithoutBlindIndexAndWithNullsIsMovedToo() {
    Reencryption phones =
        Reencryption.builder(db, FieldCipher.of(rotated))
            .table("public.crypto_users")
            .column("phone")
            .context(id -> "crypto_users.phone:" + id)
            .build();

    assertThat(phones.run()).isEqualTo(new Reencryption.Result(ROWS / 2, 0));
    long underB =
        db.withHandle(
            h ->
                h.createQuery("SELECT count(*) FROM crypto_users WHERE phone LIKE 'v1.b.%'")
                    .mapTo(Long.class)
                    .one());
    assertThat(underB).isEqualTo(ROWS / 2);
  }

  @Test
  void aRowThatDoesNotDecryptStopsTheRunNamingItAndKeepsTheBatchesBefore() {
    db.useTransaction(
        h ->
            h.execute(
                "UPDATE crypto_users SET email = (SELECT email FROM crypto_users WHERE id = 1)"
                    + " WHERE id = 120"));

    assertThatThrownBy(() -> emails(rotated).run())
        .isInstanceOf(DecryptionException.class)
        .hasMessageStartingWith("crypto_users.email of the row id=120: the value under key \"a\"")
        .hasMessageNotContaining("User1@");
    long moved =
        db.withHandle(
            h ->
                h.createQuery("SELECT count(*) FROM crypto_users WHERE email LIKE 'v1.b.%'")
                    .mapTo(Long.class)
                    .one());
    assertThat(moved).isEqualTo(100);
  }

  @Test
  void aNameThatIsNotPlainSqlIsRefused() {
    var builder = Reencryption.builder(db, FieldCipher.of(rotated));

    assertThatThrownBy(() -> builder.table("users; DROP TABLE x"))
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("table: must be a plain SQL name");
    assertThatThrownBy(() -> builder.column("email\""))
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("column: must be a plain SQL name");
    assertThatThrownBy(() -> builder.table("users").column("email").build())
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("context: must be set");
  }
}
