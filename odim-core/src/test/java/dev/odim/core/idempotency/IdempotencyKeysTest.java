package dev.odim.core.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class IdempotencyKeysTest {
  private static Db db;
  private static final SettableClock clock =
      SettableClock.at(Instant.parse("2026-12-01T10:00:00Z"));
  private static IdempotencyKeys keys;

  @BeforeAll
  static void open(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
    keys = IdempotencyKeys.builder(db).clock(clock).build();
  }

  @AfterAll
  static void close() {
    db.close();
  }

  private static byte[] print(String body) {
    return IdempotencyKeys.fingerprint(
        "POST", "/api/payouts", body.getBytes(StandardCharsets.UTF_8));
  }

  private static final StoredResponse CREATED =
      new StoredResponse(
          201,
          "application/json",
          java.util.Map.of("ETag", "\"1\"", "Location", "/api/payouts/1"),
          "{\"id\":1}".getBytes(StandardCharsets.UTF_8));

  @Test
  void aRetryAfterCompletionReplaysTheFirstResponse() {
    String key = UUID.randomUUID().toString();
    assertThat(keys.claim("user:a", key, print("{}"))).isInstanceOf(Claim.Acquired.class);
    keys.complete("user:a", key, CREATED);

    Claim retry = keys.claim("user:a", key, print("{}"));

    assertThat(retry).isEqualTo(new Claim.Replay(CREATED));
  }

  @Test
  void theSameKeyWithAnotherBodyIsRefusedAndAnotherScopeIsIndependent() {
    String key = UUID.randomUUID().toString();
    keys.claim("user:a", key, print("{\"amount\":100}"));
    keys.complete("user:a", key, CREATED);

    assertThat(keys.claim("user:a", key, print("{\"amount\":999}")))
        .isInstanceOf(Claim.KeyReused.class);
    assertThat(keys.claim("user:b", key, print("{\"amount\":999}")))
        .isInstanceOf(Claim.Acquired.class);
  }

  @Test
  void aKeyInFlightIsRefusedUntilItsRequestReleasesItOrDies() {
    String key = UUID.randomUUID().toString();
    keys.claim("user:a", key, print("{}"));

    assertThat(keys.claim("user:a", key, print("{}"))).isInstanceOf(Claim.InProgress.class);
    keys.release("user:a", key);
    assertThat(keys.claim("user:a", key, print("{}"))).isInstanceOf(Claim.Acquired.class);

    // The second claimant dies without a word; after the lock timeout a retry takes over.
    assertThat(keys.claim("user:a", key, print("{}"))).isInstanceOf(Claim.InProgress.class);
    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    assertThat(keys.claim("user:a", key, print("{}"))).isInstanceOf(Claim.Acquired.class);
  }

  @Test
  void responsesAreKeptForTheRetentionThenForgotten() {
    String key = UUID.randomUUID().toString();
    keys.claim("user:a", key, print("{}"));
    keys.complete("user:a", key, CREATED);

    clock.advance(Duration.ofHours(23));
    assertThat(keys.claim("user:a", key, print("{}"))).isInstanceOf(Claim.Replay.class);
    clock.advance(Duration.ofHours(2));
    assertThat(keys.purgeExpired()).isPositive();
    assertThat(keys.claim("user:a", key, print("{}"))).isInstanceOf(Claim.Acquired.class);
  }

  @Test
  void ofManyConcurrentRequestsWithOneKeyExactlyOneRuns() throws Exception {
    String key = UUID.randomUUID().toString();
    int threads = 16;
    List<Callable<Claim>> tasks = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      tasks.add(() -> keys.claim("user:race", key, print("{}")));
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Claim> claims = new ArrayList<>();
    try {
      for (Future<Claim> f : pool.invokeAll(tasks)) {
        claims.add(f.get());
      }
    } finally {
      pool.shutdown();
    }

    assertThat(claims.stream().filter(c -> c instanceof Claim.Acquired).count()).isEqualTo(1);
    assertThat(claims.stream().filter(c -> c instanceof Claim.InProgress).count())
        .isEqualTo(threads - 1);
    long rows =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT count(*) FROM odim_idempotency.idempotency_keys WHERE key = :k")
                    .bind("k", key)
                    .mapTo(Long.class)
                    .one());
    assertThat(rows).isEqualTo(1);
  }

  @Test
  void cookiesAreNeverStored() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new StoredResponse(
                    200, "", java.util.Map.of("Set-Cookie", "s=secret"), new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void malformedKeysAndSettingsAreRefused() {
    assertThat(IdempotencyKeys.isValidKey("")).isFalse();
    assertThat(IdempotencyKeys.isValidKey("has space")).isFalse();
    assertThat(IdempotencyKeys.isValidKey("x".repeat(256))).isFalse();
    assertThat(IdempotencyKeys.isValidKey("8e03978e-40d5-43e8-bc93-6894a57f9324")).isTrue();
    assertThatThrownBy(() -> keys.claim("user:a", "bad key", print("{}")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IdempotencyKeys.builder(db).retention(Duration.ofSeconds(5)).build())
        .isInstanceOf(OdimConfigException.class);
    assertThatThrownBy(() -> IdempotencyKeys.builder(db).schema("Bad-Schema").build())
        .isInstanceOf(OdimConfigException.class);
  }
}
