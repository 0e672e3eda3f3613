package dev.odim.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.server.security.SecureServer.Answer;
import dev.odim.server.security.SecureServer.Session;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.RedisExtension;
import dev.odim.testkit.TcpProxy;
import dev.odim.testkit.TestDatabase;
import dev.odim.testkit.TestRedis;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Limits per client address, stricter ones for sign-in, shared through Redis, and never a wall. */
@ExtendWith({PostgresExtension.class, RedisExtension.class})
class RateLimitTest {

  @Test
  void theSixthRequestOfFiveAllowedIs429WithHeadersThatSayWhenToReturn(TestDatabase database)
      throws Exception {
    try (SecureServer platform =
        new SecureServer(database, Map.of("ODIM_RATE_LIMIT", "5/1m"), api -> {})) {
      for (int i = 0; i < 5; i++) {
        Answer ok = platform.send("GET", "/api/me", null, null);
        assertThat(ok.status()).isEqualTo(401); // let through, to be refused for lack of a session
        assertThat(ok.header("RateLimit-Policy")).isEqualTo("\"default\";q=5;w=60");
        assertThat(ok.header("RateLimit")).startsWith("\"default\";r=" + (4 - i) + ";t=");
      }

      Answer refused = platform.send("GET", "/api/me", null, null);

      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.code()).isEqualTo("rate_limited");
      assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
      assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 60);
      assertThat(refused.header("RateLimit")).startsWith("\"default\";r=0;");
      // Probes are exempt: a load balancer must see the truth, not a 429.
      assertThat(platform.send("GET", "/health/live", null, null).status()).isEqualTo(200);
      // Time heals.
      platform.clock.advance(java.time.Duration.ofMinutes(1));
      assertThat(platform.send("GET", "/api/me", null, null).status()).isEqualTo(401);
      assertThat(platform.send("GET", "/metrics", null, null).response().body())
          .containsPattern("odim_rate_limited_total\\{policy=\"default\"} [1-9]");
    }
  }

  @Test
  void aForgedForwardedForFromAnUntrustedPeerChangesNothing(TestDatabase database)
      throws Exception {
    try (SecureServer platform =
        new SecureServer(database, Map.of("ODIM_RATE_LIMIT", "3/1m"), api -> {})) {
      for (int i = 0; i < 3; i++) {
        platform.send("GET", "/api/me", null, null, Map.of("X-Forwarded-For", "10.0.0." + i));
      }
      Answer forged =
          platform.send("GET", "/api/me", null, null, Map.of("X-Forwarded-For", "10.9.9.9"));
      assertThat(forged.status()).isEqualTo(429);
    }
  }

  @Test
  void behindATrustedProxyEachForwardedClientHasItsOwnLimit(TestDatabase database)
      throws Exception {
    try (SecureServer platform =
        new SecureServer(
            database,
            Map.of("ODIM_RATE_LIMIT", "2/1m", "ODIM_TRUSTED_PROXIES", "127.0.0.1,::1"),
            api -> {})) {
      for (String client : new String[] {"203.0.113.7", "203.0.113.8"}) {
        Map<String, String> via = Map.of("X-Forwarded-For", "198.51.100.1, " + client);
        assertThat(platform.send("GET", "/api/me", null, null, via).status()).isEqualTo(401);
        assertThat(platform.send("GET", "/api/me", null, null, via).status()).isEqualTo(401);
        assertThat(platform.send("GET", "/api/me", null, null, via).status()).isEqualTo(429);
      }
    }
  }

  @Test
  void repeatedFailedSignInsLockTheAccountWithGrowingDelays(TestDatabase database)
      throws Exception {
    try (SecureServer platform = new SecureServer(database)) {
      Session fan = platform.signup("fan");
      Map<String, String> wrong = Map.of("email", fan.email(), "password", "not the password 1");
      for (int i = 0; i < 5; i++) {
        assertThat(platform.send("POST", "/api/auth/login", wrong, null).status()).isEqualTo(401);
      }
      assertThat(platform.send("POST", "/api/auth/login", wrong, null).status()).isEqualTo(401);

      // Locked now: even the right password waits, and says how long.
      Answer locked =
          platform.send(
              "POST",
              "/api/auth/login",
              Map.of("email", fan.email(), "password", fan.password()),
              null);
      assertThat(locked.status()).isEqualTo(429);
      assertThat(locked.header("Retry-After")).isNotNull();

      platform.clock.advance(java.time.Duration.ofSeconds(2));
      platform.login(fan.email(), fan.password());
    }
  }

  @Test
  void twoInstancesShareOneLimitThroughRedisAndSurviveItsOutage(
      TestDatabase database, TestRedis redis) throws Exception {
    try (TcpProxy proxy = TcpProxy.to(redis.host(), redis.port());
        SecureServer first =
            new SecureServer(
                database,
                Map.of(
                    "ODIM_RATE_LIMIT",
                    "4/1m",
                    "REDIS_URL",
                    "redis://127.0.0.1:" + proxy.port() + "/" + redis.database()),
                api -> {});
        SecureServer second =
            new SecureServer(
                database,
                Map.of(
                    "ODIM_RATE_LIMIT",
                    "4/1m",
                    "REDIS_URL",
                    "redis://127.0.0.1:" + proxy.port() + "/" + redis.database()),
                api -> {})) {
      int allowed = 0;
      for (int i = 0; i < 6; i++) {
        SecureServer instance = i % 2 == 0 ? first : second;
        if (instance.send("GET", "/api/me", null, null).status() != 429) {
          allowed++;
        }
      }
      assertThat(allowed).isEqualTo(4);

      proxy.cut();
      Answer duringOutage = first.send("GET", "/api/me", null, null);
      assertThat(duringOutage.status()).isIn(401, 429);
      Answer health = first.send("GET", "/health/ready", null, null);
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.body().get("rateLimiter").asText()).startsWith("degraded");
    }
  }
}
