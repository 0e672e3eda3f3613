package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.server.internal.openapi.OpenApiDocument;
import dev.odim.server.internal.web.Endpoint;
import dev.odim.server.security.SecureServer.Answer;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The served OpenAPI document and API page describe exactly the routes the server answers. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiReferenceTest {
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
  void everyRegisteredRouteIsInTheDocumentAndNothingElse() throws Exception {
    Answer document = platform.send("GET", "/api/openapi.json", null, null);

    assertThat(document.status()).isEqualTo(200);
    assertThat(document.body().get("openapi").asText()).isEqualTo("3.1.0");
    Set<String> registered =
        platform.server.endpoints().stream().map(OpenApiDocument::key).collect(Collectors.toSet());
    assertThat(OpenApiDocument.operations(document.body())).isEqualTo(registered);
    assertThat(registered).contains("GET /api/openapi.json", "POST /api/auth/signup");
  }

  @Test
  void theDocumentStatesTheValidationConstraints() throws Exception {
    var schemas =
        platform
            .send("GET", "/api/openapi.json", null, null)
            .body()
            .get("components")
            .get("schemas");
    var signup = schemas.get("Signup");

    assertThat(signup.get("additionalProperties").asBoolean()).isFalse();
    assertThat(signup.get("properties").get("email").get("maxLength").asInt()).isEqualTo(254);
    assertThat(signup.get("properties").get("email").get("format").asText()).isEqualTo("email");
    assertThat(signup.get("properties").get("name").get("maxLength").asInt()).isEqualTo(100);
    assertThat(signup.get("required").toString()).contains("email", "password", "name", "role");
  }

  @Test
  void theApiPageIsReadableAndRunsNothing() throws Exception {
    Answer page = platform.send("GET", "/api/docs", null, null);

    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).startsWith("text/html");
    String html = page.response().body();
    assertThat(html).contains("/api/auth/signup", "/api/admin/audit").doesNotContain("<script");
    String csp = page.header("Content-Security-Policy");
    String nonce = csp.replaceAll(".*'nonce-([^']+)'.*", "$1");
    assertThat(html).contains("<style nonce=\"" + nonce + "\">");
    for (Endpoint endpoint : platform.server.endpoints()) {
      assertThat(html).contains(OpenApiDocument.openApiPath(endpoint.path()));
    }
  }
}
