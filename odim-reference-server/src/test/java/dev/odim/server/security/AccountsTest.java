package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.server.internal.account.PasswordHasher;
import dev.odim.server.security.SecureServer.Answer;
import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Signup and login: what is refused, what an attacker can learn, how passwords are kept. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccountsTest {
  private SecureServer platform;

  @BeforeAll
  void start(TestDatabase database) {
    platform = new SecureServer(database);
  }

  @AfterAll
  void stop() {
    platform.close();
  }

  private Answer signup(String email, String password, String name, String role) throws Exception {
    return platform.send(
        "POST",
        "/api/auth/signup",
        Map.of("email", email, "password", password, "name", name, "role", role),
        null);
  }

  private long users() {
    return platform
        .server
        .db()
        .withHandle(
            h -> h.createQuery("SELECT count(*) FROM odim_server.users").mapTo(Long.class).one());
  }

  @Test
  void shortCommonAndPersonalPasswordsAreRefusedWithAReasonAndNothingIsWritten() throws Exception {
    long before = users();
    Map<String, String> refused =
        Map.of(
            "short", "Tr0ub4dor&3",
            "breached", "password1234",
            "breached-too", "qwertyuiopasdfgh",
            "own email", "ada.lovelace@odim.test");
    for (var entry : refused.entrySet()) {
      Answer answer = signup("ada.lovelace@odim.test", entry.getValue(), "Ada Lovelace", "fan");
      assertThat(answer.status()).as(entry.getKey()).isEqualTo(400);
      assertThat(answer.code()).isEqualTo("validation_failed");
      assertThat(answer.body().get("errors").get(0).get("field").asText()).isEqualTo("password");
      assertThat(answer.body().get("errors").get(0).get("message").asText()).isNotBlank();
    }
    assertThat(users()).isEqualTo(before);
  }

  @Test
  void invalidFieldsAreListedTogether() throws Exception {
    Answer answer =
        platform.send(
            "POST",
            "/api/auth/signup",
            Map.of("email", "not-an-email", "password", "x", "name", " ", "role", "admin"),
            null);

    assertThat(answer.status()).isEqualTo(400);
    List<String> fields = new ArrayList<>();
    answer.body().get("errors").forEach(e -> fields.add(e.get("field").asText()));
    assertThat(fields).contains("email", "name", "role");
  }

  @Test
  void nobodyCanSignUpAsAdmin() throws Exception {
    Answer answer = signup("sneaky@odim.test", "sturdy violet harbour 77", "Sneaky", "admin");
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body().get("errors").get(0).get("field").asText()).isEqualTo("role");
  }

  @Test
  void unknownFieldsAreRefused() throws Exception {
    Answer answer =
        platform.send(
            "POST",
            "/api/auth/signup",
            Map.of(
                "email", "extra@odim.test",
                "password", "sturdy violet harbour 77",
                "name", "Extra",
                "role", "fan",
                "isAdmin", true),
            null);
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body().get("errors").get(0).get("field").asText()).isEqualTo("isAdmin");
  }

  @Test
  void aSecondAccountWithTheSameEmailIsRefusedWhateverItsCase() throws Exception {
    Session first = platform.signup("fan");
    Answer again =
        signup(" " + first.email().toUpperCase() + " ", "sturdy violet harbour 77", "Twin", "fan");
    assertThat(again.status()).isIn(400, 409);
    Answer exact = signup(first.email().toUpperCase(), "sturdy violet harbour 77", "Twin", "fan");
    assertThat(exact.status()).isEqualTo(409);
    assertThat(exact.code()).isEqualTo("email_taken");
  }

  @Test
  void loginAnswersTheSameForAnUnknownEmailAndAWrongPassword() throws Exception {
    Session fan = platform.signup("fan");

    Answer wrongPassword =
        platform.send(
            "POST",
            "/api/auth/login",
            Map.of("email", fan.email(), "password", "not it at all 123"),
            null);
    Answer unknownEmail =
        platform.send(
            "POST",
            "/api/auth/login",
            Map.of("email", "nobody-" + fan.email(), "password", "not it at all 123"),
            null);

    assertThat(wrongPassword.status()).isEqualTo(401).isEqualTo(unknownEmail.status());
    assertThat(wrongPassword.code())
        .isEqualTo("invalid_credentials")
        .isEqualTo(unknownEmail.code());
    assertThat(wrongPassword.body().get("detail")).isEqualTo(unknownEmail.body().get("detail"));
    assertThat(wrongPassword.header("Set-Cookie")).isNull();
    assertThat(platform.send("GET", "/metrics", null, null).response().body())
        .containsPattern("odim_auth_failures_total\\{kind=\"login\",provider=\"odim\"} [1-9]");
  }

  @Test
  void loginTakesAboutAsLongForAnUnknownEmailAsForAWrongPassword() throws Exception {
    Session fan = platform.signup("fan");
    long known = 0;
    long unknown = 0;
    for (int i = 0; i < 4; i++) {
      long t0 = System.nanoTime();
      platform.send(
          "POST",
          "/api/auth/login",
          Map.of("email", fan.email(), "password", "wrong " + i + " password x"),
          null);
      long t1 = System.nanoTime();
      platform.send(
          "POST",
          "/api/auth/login",
          Map.of("email", i + fan.email(), "password", "wrong password x"),
          null);
      long t2 = System.nanoTime();
      known += t1 - t0;
      unknown += t2 - t1;
    }
    // Both run one Argon2id verification; without the dummy hash the unknown email would answer
    // in well under a tenth of the time.
    assertThat((double) unknown / known).isBetween(0.5, 2.0);
  }

  @Test
  void passwordsAreStoredAsArgon2idAndUpgradedToCurrentParametersAtLogin() throws Exception {
    Session fan = platform.signup("fan");
    String weakerHash = new PasswordHasher(4096, 1, 1).hash(fan.password(), new SecureRandom());
    platform
        .server
        .db()
        .useTransaction(
            h ->
                h.createUpdate("UPDATE odim_server.users SET password_hash = :h WHERE id = :id")
                    .bind("h", weakerHash)
                    .bind("id", fan.userId())
                    .execute());

    platform.login(fan.email(), fan.password());

    String stored =
        platform
            .server
            .db()
            .withHandle(
                h ->
                    h.createQuery("SELECT password_hash FROM odim_server.users WHERE id = :id")
                        .bind("id", fan.userId())
                        .mapTo(String.class)
                        .one());
    assertThat(stored).startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain(fan.password());
    assertThat(PasswordHasher.owaspDefault().needsRehash(stored)).isFalse();
  }

  @Test
  void theFirstAdminComesFromSettingsAndCanSignIn() throws Exception {
    Session admin = platform.admin();
    assertThat(admin.role()).isEqualTo("admin");
  }
}
