package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.server.security.SecureServer.Answer;
import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Cross-site request forgery is refused; every answer carries the security headers. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CsrfAndHeadersTest {
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
  void aCrossSiteRequestWithTheSessionCookieIsRefusedAndChangesNothing() throws Exception {
    Session fan = platform.signup("fan");

    Answer crossSite =
        platform.send(
            "POST", "/api/auth/logout", null, fan, Map.of("Sec-Fetch-Site", "cross-site"));
    Answer foreignOrigin =
        platform.send(
            "POST", "/api/auth/logout", null, fan, Map.of("Origin", "https://evil.example"));
    Answer nullOrigin =
        platform.send("POST", "/api/auth/logout", null, fan, Map.of("Origin", "null"));

    for (Answer refused : new Answer[] {crossSite, foreignOrigin, nullOrigin}) {
      assertThat(refused.status()).isEqualTo(403);
      assertThat(refused.code()).isEqualTo("cross_site_request");
    }
    assertThat(platform.send("GET", "/api/me", null, fan).status()).isEqualTo(200);
  }

  @Test
  void aSameOriginRequestPasses() throws Exception {
    Session fan = platform.signup("fan");
    String origin = "http://localhost:" + platform.server.port();

    Answer logout =
        platform.send(
            "POST",
            "/api/auth/logout",
            null,
            fan,
            Map.of("Origin", origin, "Sec-Fetch-Site", "same-origin"));

    assertThat(logout.status()).isEqualTo(204);
  }

  @Test
  void everyAnswerCarriesTheSecurityHeadersAndNoBanner() throws Exception {
    Answer ok = platform.send("GET", "/health/live", null, null);
    Answer notFound = platform.send("GET", "/api/nothing-here", null, null);
    Answer refused = platform.send("GET", "/api/me", null, null);

    for (Answer answer : new Answer[] {ok, notFound, refused}) {
      String csp = answer.header("Content-Security-Policy");
      assertThat(csp)
          .contains("default-src 'none'", "frame-ancestors 'none'", "object-src 'none'", "'nonce-")
          .doesNotContain("unsafe-inline", "unsafe-eval");
      assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(answer.header("Referrer-Policy")).isEqualTo("strict-origin-when-cross-origin");
      assertThat(answer.header("Permissions-Policy")).contains("camera=()");
      assertThat(answer.header("Cross-Origin-Opener-Policy")).isEqualTo("same-origin");
      assertThat(answer.header("Server")).isNull();
      assertThat(answer.header("X-Powered-By")).isNull();
    }
    assertThat(refused.header("Cache-Control")).isEqualTo("no-store");
    assertThat(ok.header("Content-Security-Policy"))
        .isNotEqualTo(
            platform.send("GET", "/health/live", null, null).header("Content-Security-Policy"));
  }

  @Test
  void hstsIsSentOverHttpsAsATrustedProxyReportsItAndAForgedClaimChangesNothing(
      TestDatabase database) throws Exception {
    Map<String, String> claimsHttps = Map.of("X-Forwarded-Proto", "http, https");

    Answer untrusted = platform.send("GET", "/health/live", null, null, claimsHttps);
    try (SecureServer behindProxy =
        new SecureServer(database, Map.of("ODIM_TRUSTED_PROXIES", "127.0.0.1,::1"), api -> {})) {
      Answer viaProxy = behindProxy.send("GET", "/health/live", null, null, claimsHttps);
      Answer plainViaProxy =
          behindProxy.send("GET", "/health/live", null, null, Map.of("X-Forwarded-Proto", "http"));

      assertThat(viaProxy.header("Strict-Transport-Security")).startsWith("max-age=");
      assertThat(plainViaProxy.header("Strict-Transport-Security")).isNull();
    }
    assertThat(untrusted.header("Strict-Transport-Security")).isNull();
  }

  @Test
  void anUnexpectedFailureRevealsNoStackTraceOrSql() throws Exception {
    Answer broken =
        platform.send(
            "POST",
            "/api/auth/login",
            "{\"email\": \"x@odim.test\", \"password\": \"' OR 1=1 --\", \"returnTo\": null}",
            null);
    assertThat(broken.status()).isLessThan(500);
    assertThat(broken.response().body())
        .doesNotContain("Exception", "at dev.", "SELECT", "odim_server.");
  }
}
