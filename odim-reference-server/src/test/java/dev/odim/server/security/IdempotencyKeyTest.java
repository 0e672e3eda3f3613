package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Idempotency;
import dev.odim.server.security.SecureServer.Answer;
import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Write routes take an Idempotency-Key: a retry replays the first success instead of running. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotencyKeyTest {
  private final AtomicInteger charges = new AtomicInteger();
  private SecureServer platform;

  @BeforeAll
  void start(TestDatabase database) {
    platform =
        new SecureServer(
            database,
            Map.of(),
            api ->
                api.post("/test/charges")
                    .summary("A write that must not run twice")
                    .tag("test")
                    .access(Access.authenticated())
                    .idempotency(Idempotency.REQUIRED)
                    .handle(
                        call ->
                            call.ctx()
                                .status(201)
                                .json(Map.of("charge", charges.incrementAndGet()))));
  }

  @AfterAll
  void stop() {
    platform.close();
  }

  private Answer profile(Session creator, String bio, String key) throws Exception {
    return platform.send(
        "PUT",
        "/api/creators/me/profile",
        Map.of(
            "handle",
            "idem_" + creator.userId().toString().substring(0, 8),
            "displayName",
            "I",
            "bio",
            bio),
        creator,
        Map.of("If-None-Match", "*", "Idempotency-Key", key));
  }

  @Test
  void aRetriedWriteIsAnsweredFromTheFirstInsteadOfRunningAgain() throws Exception {
    Session creator = platform.signup("creator");
    String key = UUID.randomUUID().toString();

    Answer first = profile(creator, "first", key);
    Answer retry = profile(creator, "first", key);

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("Idempotent-Replayed")).isNull();
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.header("ETag")).isEqualTo(first.header("ETag"));
    assertThat(retry.response().body()).isEqualTo(first.response().body());
    // Without the key, the same request would have been refused: the profile exists (412).
    assertThat(
            platform
                .send(
                    "PUT",
                    "/api/creators/me/profile",
                    Map.of("handle", "idem_x", "displayName", "I", "bio", "first"),
                    creator,
                    Map.of("If-None-Match", "*"))
                .status())
        .isEqualTo(412);
  }

  @Test
  void theSameKeyForAnotherRequestIs422() throws Exception {
    Session creator = platform.signup("creator");
    String key = UUID.randomUUID().toString();
    profile(creator, "first", key);

    Answer other = profile(creator, "second", key);

    assertThat(other.status()).isEqualTo(422);
    assertThat(other.code()).isEqualTo("idempotency_key_reused");
  }

  @Test
  void aRouteThatRequiresAKeyRefusesARequestWithoutOneAndRunsOncePerKey() throws Exception {
    Session fan = platform.signup("fan");
    int before = charges.get();

    Answer missing = platform.send("POST", "/test/charges", null, fan);
    Answer malformed =
        platform.send(
            "POST", "/test/charges", null, fan, Map.of("Idempotency-Key", "has spaces in it"));
    String key = UUID.randomUUID().toString();
    Answer first =
        platform.send("POST", "/test/charges", null, fan, Map.of("Idempotency-Key", key));
    Answer again =
        platform.send("POST", "/test/charges", null, fan, Map.of("Idempotency-Key", key));
    Session stranger = platform.signup("fan");
    Answer someoneElse =
        platform.send("POST", "/test/charges", null, stranger, Map.of("Idempotency-Key", key));

    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.code()).isEqualTo("idempotency_key_missing");
    assertThat(malformed.code()).isEqualTo("idempotency_key_invalid");
    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.body()).isEqualTo(first.body());
    // Keys are per user: another user's request with the same key runs on its own.
    assertThat(someoneElse.body()).isNotEqualTo(first.body());
    assertThat(charges.get()).isEqualTo(before + 2);
  }
}
