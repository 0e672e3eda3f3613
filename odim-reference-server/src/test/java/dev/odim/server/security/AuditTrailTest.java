package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odim.server.security.SecureServer.Answer;
import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Security-relevant account events land in the hash-chained audit log, masked, for admins. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditTrailTest {
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
  void signupLoginFailuresAndLogoutAreAuditedWithMaskedPersonalData() throws Exception {
    Session fan = platform.signup("fan");
    platform.send(
        "POST",
        "/api/auth/login",
        Map.of("email", fan.email(), "password", "wrong wrong wrong 1"),
        null);
    platform.send("POST", "/api/auth/logout", null, fan);
    Session admin = platform.admin();

    Answer page = platform.send("GET", "/api/admin/audit?actionPrefix=auth&limit=500", null, admin);

    assertThat(page.status()).isEqualTo(200);
    List<String> actions = new ArrayList<>();
    for (JsonNode entry : page.body().get("entries")) {
      if (("user:" + fan.userId()).equals(entry.path("target").asText())
          || ("user:" + fan.userId()).equals(entry.path("actor").asText())) {
        actions.add(entry.get("action").asText());
        assertThat(entry.get("actorIp").asText()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(entry.get("requestId").asText()).isNotBlank();
      }
    }
    assertThat(actions).contains("auth.signup", "auth.login.failed", "auth.logout");
    assertThat(page.response().body()).doesNotContain(fan.email()).doesNotContain(fan.password());
  }

  @Test
  void filtersAreValidatedAndTheChainVerifies() throws Exception {
    Session admin = platform.admin();

    Answer failures =
        platform.send(
            "GET", "/api/admin/audit?action=auth.login.failed&outcome=failure", null, admin);
    assertThat(failures.status()).isEqualTo(200);
    failures
        .body()
        .get("entries")
        .forEach(e -> assertThat(e.get("action").asText()).isEqualTo("auth.login.failed"));

    assertThat(platform.send("GET", "/api/admin/audit?limit=0", null, admin).status())
        .isEqualTo(400);
    assertThat(platform.send("GET", "/api/admin/audit?from=yesterday", null, admin).code())
        .isEqualTo("validation_failed");
    assertThat(platform.send("GET", "/api/admin/audit?sort=evil", null, admin).status())
        .isEqualTo(400);

    Answer verification = platform.send("GET", "/api/admin/audit/verification", null, admin);
    assertThat(verification.body().get("ok").asBoolean()).isTrue();
    assertThat(verification.body().get("rowsChecked").asLong()).isPositive();
  }

  @Test
  void auditRowsCannotBeChangedOrDeletedThroughTheDatabase() {
    var db = platform.server.db();
    for (String sql :
        List.of(
            "UPDATE odim_audit.audit_log SET summary = 'nothing happened'",
            "DELETE FROM odim_audit.audit_log")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> db.useTransaction(h -> h.execute(sql)))
          .as(sql)
          .hasStackTraceContaining("append-only");
    }
  }
}
