package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.server.security.SecureServer.Answer;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** A dump of the whole database after signup holds no email or name in clear. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncryptionAtRestTest {
  private SecureServer platform;

  @BeforeAll
  void start(TestDatabase database) {
    platform = new SecureServer(database);
  }

  @AfterAll
  void stop() {
    platform.close();
  }

  @Test
  void personalDataIsNowhereInClear() throws Exception {
    String email = "Grace.Hopper.Unique7781@navy.example";
    String name = "Grace Brewster Hopper";
    Answer signup =
        platform.send(
            "POST",
            "/api/auth/signup",
            Map.of(
                "email",
                email,
                "password",
                "cobol compiler vessel 1952",
                "name",
                name,
                "role",
                "creator"),
            null);
    assertThat(signup.status()).isEqualTo(201);
    platform.send(
        "POST", "/api/auth/login", Map.of("email", email, "password", "wrong wrong wrong 1"), null);

    String dump = dumpEverything().toLowerCase(Locale.ROOT);

    assertThat(dump).contains("odim_server.users"); // the dump did read the users table
    for (String secret :
        List.of(email, "grace.hopper.unique7781", "navy.example", name, "Brewster")) {
      assertThat(dump).as(secret).doesNotContain(secret.toLowerCase(Locale.ROOT));
    }
    // ... yet the platform still knows who she is.
    Answer me =
        platform.send("GET", "/api/me", null, platform.login(email, "cobol compiler vessel 1952"));
    assertThat(me.body().get("email").asText()).isEqualTo(email);
    assertThat(me.body().get("name").asText()).isEqualTo(name);
  }

  private String dumpEverything() {
    return DatabaseDump.everything(platform.server.db());
  }
}
