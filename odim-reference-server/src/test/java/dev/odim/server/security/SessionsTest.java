package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.server.security.SecureServer.Answer;
import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Sessions: how they start, what the cookie looks like, and every way they end. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionsTest {
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
  void theCookieIsHostPrefixedHttpOnlySameSiteAndSecureOnLocalhost() throws Exception {
    Answer signup =
        platform.send(
            "POST",
            "/api/auth/signup",
            Map.of(
                "email", "cookie@odim.test",
                "password", "quiet lantern orchard 42",
                "name", "Cookie",
                "role", "fan"),
            null);

    assertThat(signup.status()).isEqualTo(201);
    String setCookie = signup.header("Set-Cookie");
    assertThat(setCookie)
        .startsWith("__Host-odim_session=")
        .contains("; Path=/", "; HttpOnly", "; SameSite=Lax", "; Secure")
        .doesNotContain("Domain=");
    String token = setCookie.split(";", 2)[0].split("=", 2)[1];
    assertThat(java.util.Base64.getUrlDecoder().decode(token)).hasSize(32);
  }

  @Test
  void theTokenIsStoredOnlyAsItsHash() throws Exception {
    Session fan = platform.signup("fan");
    String token = fan.cookie().split("=", 2)[1];

    String stored =
        platform
            .server
            .db()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT string_agg(encode(token_hash, 'hex'), ',') FROM odim_server.sessions")
                        .mapTo(String.class)
                        .one());
    String tokenHex =
        java.util.HexFormat.of()
            .formatHex(token.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(stored).doesNotContain(tokenHex);
    int matching =
        platform
            .server
            .db()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT count(*) FROM odim_server.sessions"
                                + " WHERE token_hash = sha256(convert_to(:t, 'UTF8'))")
                        .bind("t", token)
                        .mapTo(Integer.class)
                        .one());
    assertThat(matching).isEqualTo(1);
  }

  @Test
  void loginIssuesANewTokenEveryTime() throws Exception {
    Session signedUp = platform.signup("fan");
    Session first = platform.login(signedUp.email(), signedUp.password());
    Session second = platform.login(signedUp.email(), signedUp.password());

    assertThat(first.cookie()).isNotEqualTo(signedUp.cookie()).isNotEqualTo(second.cookie());
    // A token the attacker planted before login is not the one that is signed in.
    Answer planted =
        platform.send(
            "GET",
            "/api/me",
            null,
            new Session("__Host-odim_session=planted-by-attacker", null, "", "", ""));
    assertThat(planted.status()).isEqualTo(401);
    assertThat(planted.code()).isEqualTo("unauthenticated");
  }

  @Test
  void meSaysWhenTheSessionExpiresAndUseMovesItForward() throws Exception {
    Session fan = platform.signup("fan");
    Answer me = platform.send("GET", "/api/me", null, fan);
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.body().get("email").asText()).isEqualTo(fan.email());
    assertThat(me.body().get("role").asText()).isEqualTo("fan");
    Instant expires = Instant.parse(me.body().get("expiresAt").asText());
    assertThat(expires).isEqualTo(platform.clock.instant().plus(Duration.ofMinutes(30)));

    platform.clock.advance(Duration.ofMinutes(20));
    Answer later = platform.send("GET", "/api/me", null, fan);
    assertThat(Instant.parse(later.body().get("expiresAt").asText()))
        .isEqualTo(platform.clock.instant().plus(Duration.ofMinutes(30)));
  }

  @Test
  void anIdleSessionExpiresWithItsOwnCode() throws Exception {
    Session fan = platform.signup("fan");
    platform.clock.advance(Duration.ofMinutes(30));

    Answer expired = platform.send("GET", "/api/me", null, fan);

    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.code()).isEqualTo("session_expired");
    assertThat(expired.header("Content-Type")).startsWith("application/problem+json");
    Answer none = platform.send("GET", "/api/me", null, null);
    assertThat(none.code()).isEqualTo("unauthenticated");
  }

  @Test
  void aBusySessionStillEndsAtTheAbsoluteTimeout() throws Exception {
    Session fan = platform.signup("fan");
    for (int i = 0; i < 12 * 3; i++) {
      platform.clock.advance(Duration.ofMinutes(20));
      Answer me = platform.send("GET", "/api/me", null, fan);
      if (i < 35) {
        assertThat(me.status()).as("after %d minutes", (i + 1) * 20).isEqualTo(200);
      } else {
        assertThat(me.status()).isEqualTo(401);
        assertThat(me.code()).isEqualTo("session_expired");
      }
    }
  }

  @Test
  void logoutEndsTheSessionAndClearsTheCookie() throws Exception {
    Session fan = platform.signup("fan");

    Answer logout = platform.send("POST", "/api/auth/logout", null, fan);

    assertThat(logout.status()).isEqualTo(204);
    assertThat(logout.header("Set-Cookie")).contains("Max-Age=0");
    Answer me = platform.send("GET", "/api/me", null, fan);
    assertThat(me.status()).isEqualTo(401);
    assertThat(me.code()).isEqualTo("unauthenticated");
  }

  @Test
  void aPasswordChangeEndsEverySessionAndStartsAFreshOne() throws Exception {
    Session fan = platform.signup("fan");
    Session otherDevice = platform.login(fan.email(), fan.password());
    String newPassword = "another sturdy phrase " + java.util.UUID.randomUUID();

    Answer change =
        platform.send(
            "POST",
            "/api/me/password",
            Map.of("currentPassword", fan.password(), "newPassword", newPassword),
            fan);

    assertThat(change.status()).isEqualTo(200);
    Session fresh =
        new Session(SecureServer.cookie(change), fan.userId(), fan.email(), newPassword, "fan");
    assertThat(platform.send("GET", "/api/me", null, fan).status()).isEqualTo(401);
    assertThat(platform.send("GET", "/api/me", null, otherDevice).status()).isEqualTo(401);
    assertThat(platform.send("GET", "/api/me", null, fresh).status()).isEqualTo(200);
    assertThat(
            platform
                .send(
                    "POST",
                    "/api/auth/login",
                    Map.of("email", fan.email(), "password", fan.password()),
                    null)
                .status())
        .isEqualTo(401);
    platform.login(fan.email(), newPassword);
  }

  @Test
  void aUserCanListAndEndTheirOwnSessionsOnly() throws Exception {
    Session fan = platform.signup("fan");
    Session laptop = platform.login(fan.email(), fan.password());
    Session stranger = platform.signup("fan");

    Answer list = platform.send("GET", "/api/me/sessions", null, fan);
    assertThat(list.body().get("sessions")).hasSize(2);
    String laptopId = null;
    for (var s : list.body().get("sessions")) {
      if (!s.get("current").asBoolean()) {
        laptopId = s.get("id").asText();
      }
    }

    assertThat(platform.send("DELETE", "/api/sessions/" + laptopId, null, stranger).status())
        .isEqualTo(403);
    assertThat(platform.send("GET", "/api/me", null, laptop).status()).isEqualTo(200);
    assertThat(platform.send("DELETE", "/api/sessions/" + laptopId, null, fan).status())
        .isEqualTo(204);
    assertThat(platform.send("GET", "/api/me", null, laptop).status()).isEqualTo(401);
  }

  @Test
  void afterExpiryLoggingInAgainReturnsTheUserWhereTheyWere() throws Exception {
    Session creator = platform.signup("creator");
    platform.clock.advance(Duration.ofHours(1));
    assertThat(platform.send("GET", "/api/me", null, creator).code()).isEqualTo("session_expired");

    Answer login =
        platform.send(
            "POST",
            "/api/auth/login",
            Map.of(
                "email", creator.email(),
                "password", creator.password(),
                "returnTo", "/creators/me/onboarding?step=3"),
            null);

    assertThat(login.status()).isEqualTo(200);
    assertThat(login.body().get("returnTo").asText()).isEqualTo("/creators/me/onboarding?step=3");
  }

  @Test
  void returnToMustStayOnThisSite() throws Exception {
    Session fan = platform.signup("fan");
    for (String elsewhere :
        new String[] {
          "//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:alert(1)"
        }) {
      Answer login =
          platform.send(
              "POST",
              "/api/auth/login",
              Map.of("email", fan.email(), "password", fan.password(), "returnTo", elsewhere),
              null);
      assertThat(login.status()).as(elsewhere).isEqualTo(400);
      assertThat(login.body().get("errors").get(0).get("field").asText()).isEqualTo("returnTo");
    }
  }
}
