package dev.odim.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import dev.odim.core.crypto.EncryptionKey;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServerConfigTest {
  private static final String KEY_A = "a2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5LWtleS0=";

  @Test
  void nothingConfiguredMeansEmbeddedDatabaseOnPort8080WithDefaultLimit() {
    ServerConfig config = ServerConfig.parse(List.of(), Map.of());

    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.dataDirectory()).isEqualTo(Path.of("./odim-data"));
    assertThat(config.embeddedDatabase()).isTrue();
    assertThat(config.rateLimit()).isEqualTo(new RateLimit(100, Duration.ofMinutes(1)));
    assertThat(config.trustedProxies()).isEmpty();
    assertThat(config.encryptionKeys()).isEmpty();
    assertThat(config.redisUrl()).isNull();
    assertThat(config.paystackSecretKey()).isNull();
    assertThat(config.adminEmail()).isNull();
  }

  @Test
  void flagsWinOverEnvironmentInBothSpellings() {
    ServerConfig config =
        ServerConfig.parse(
            List.of("--port", "9090", "--odim-rate-limit=off"),
            Map.of("PORT", "7000", "ODIM_RATE_LIMIT", "5/1s", "ODIM_DATA", "/var/odim"));

    assertThat(config.port()).isEqualTo(9090);
    assertThat(config.rateLimit().enabled()).isFalse();
    assertThat(config.dataDirectory()).isEqualTo(Path.of("/var/odim"));
  }

  @Test
  void blankValuesCountAsUnsetAndUnrelatedVariablesAreIgnored() {
    ServerConfig config =
        ServerConfig.parse(List.of(), Map.of("DATABASE_URL", " ", "PORT", "", "HOME", "/root"));

    assertThat(config.embeddedDatabase()).isTrue();
    assertThat(config.port()).isEqualTo(8080);
  }

  @Test
  void everySettingIsReadWhenValid() throws Exception {
    ServerConfig config =
        ServerConfig.parse(
            List.of(),
            Map.ofEntries(
                Map.entry("PORT", "0"),
                Map.entry("DATABASE_URL", "postgresql://app:s3cret@db.internal:5432/odim"),
                Map.entry("REDIS_URL", "redis://cache:6379"),
                Map.entry("PAYSTACK_SECRET_KEY", "sk_test_abc123"),
                Map.entry("PAYSTACK_BASE_URL", "http://127.0.0.1:8090/sim/paystack"),
                Map.entry("ODIM_RATE_LIMIT", "20/10s"),
                Map.entry("ODIM_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7,2001:db8::/32"),
                Map.entry("ODIM_ENCRYPTION_KEYS", "k2:" + KEY_A + ",k1:" + KEY_A),
                Map.entry("ODIM_ADMIN_EMAIL", "admin@example.com"),
                Map.entry("ODIM_ADMIN_PASSWORD", "correct horse battery")));

    assertThat(config.port()).isZero();
    assertThat(config.databaseUrl().jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/odim");
    assertThat(config.redisUrl().getHost()).isEqualTo("cache");
    assertThat(config.rateLimit()).isEqualTo(new RateLimit(20, Duration.ofSeconds(10)));
    assertThat(config.trustedProxies()).hasSize(3);
    assertThat(config.trustedProxies().get(0).contains(InetAddress.getByName("10.1.2.3"))).isTrue();
    assertThat(config.trustedProxies().get(0).contains(InetAddress.getByName("11.1.2.3")))
        .isFalse();
    assertThat(config.trustedProxies().get(1).contains(InetAddress.getByName("192.168.1.8")))
        .isFalse();
    assertThat(config.encryptionKeys()).extracting(EncryptionKey::id).containsExactly("k2", "k1");
    assertThat(config.toString())
        .doesNotContain("s3cret", "sk_test_abc123", "correct horse", KEY_A);
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of(
            "PORT",
            "abc",
            "PORT: must be a number from 0 to 65535 (0 picks a free port), was \"abc\""),
        Arguments.of(
            "PORT",
            "70000",
            "PORT: must be a number from 0 to 65535 (0 picks a free port), was \"70000\""),
        Arguments.of("ODIM_DATA", "bad\0path", "ODIM_DATA: must be a directory path"),
        Arguments.of("DATABASE_URL", "mysql://x/y", "DATABASE_URL: has an unknown scheme"),
        Arguments.of(
            "REDIS_URL",
            "http://cache:6379",
            "REDIS_URL: must be an absolute URL with scheme redis or rediss and a host, was"
                + " \"http://cache:6379\""),
        Arguments.of(
            "PAYSTACK_BASE_URL",
            "ftp://x",
            "PAYSTACK_BASE_URL: must be an absolute URL with scheme http or https and a host"),
        Arguments.of(
            "PAYSTACK_SECRET_KEY",
            "pk_live_oops",
            "PAYSTACK_SECRET_KEY: must look like sk_test_... or sk_live_... (the value is not"
                + " shown)"),
        Arguments.of(
            "ODIM_RATE_LIMIT",
            "100 per minute",
            "ODIM_RATE_LIMIT: must be REQUESTS/WINDOW such as 100/1m, 20/10s or 5000/1h"),
        Arguments.of("ODIM_RATE_LIMIT", "0/1m", "ODIM_RATE_LIMIT: must be REQUESTS/WINDOW"),
        Arguments.of(
            "ODIM_TRUSTED_PROXIES",
            "10.0.0.0/8,proxy.example.com",
            "ODIM_TRUSTED_PROXIES: must be a comma-separated list of IP addresses or CIDR ranges"
                + " such as 10.0.0.0/8,192.168.1.7,2001:db8::/32; \"proxy.example.com\" is not"
                + " one"),
        Arguments.of("ODIM_TRUSTED_PROXIES", "10.0.0.0/33", "\"10.0.0.0/33\" is not one"),
        Arguments.of(
            "ODIM_ENCRYPTION_KEYS", "k1:" + KEY_A.substring(4), "the key of \"k1\" has 29 bytes"),
        Arguments.of(
            "ODIM_ENCRYPTION_KEYS", "no-colon", "must be a comma-separated list of ID:KEY"),
        Arguments.of(
            "ODIM_ENCRYPTION_KEYS", "k1:" + KEY_A + ",k1:" + KEY_A, "the id \"k1\" appears twice"),
        Arguments.of(
            "ODIM_ADMIN_EMAIL",
            "not-an-email",
            "ODIM_ADMIN_EMAIL: must be an email address such as admin@example.com"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @MethodSource("badValues")
  void badValueIsRejectedNamingTheVariableAndWhatItAccepts(
      String setting, String value, String message) {
    Map<String, String> env =
        setting.equals("ODIM_ADMIN_EMAIL")
            ? Map.of(setting, value, "ODIM_ADMIN_PASSWORD", "long enough password")
            : Map.of(setting, value);

    assertThatThrownBy(() -> ServerConfig.parse(List.of(), env))
        .isInstanceOf(OdimConfigException.class)
        .hasMessageContaining(message)
        .extracting(e -> ((OdimConfigException) e).setting())
        .isEqualTo(setting);
  }

  @Test
  void secretsAreNeverEchoedInErrors() {
    assertThatThrownBy(
            () ->
                ServerConfig.parse(List.of(), Map.of("PAYSTACK_SECRET_KEY", "sk_live_has spaces")))
        .hasMessageNotContaining("has spaces");
    assertThatThrownBy(
            () ->
                ServerConfig.parse(
                    List.of(),
                    Map.of("ODIM_ADMIN_EMAIL", "a@example.com", "ODIM_ADMIN_PASSWORD", "short1")))
        .hasMessage(
            "ODIM_ADMIN_PASSWORD: must have at least 12 characters (the value is not shown)");
    assertThatThrownBy(
            () -> ServerConfig.parse(List.of(), Map.of("REDIS_URL", "ftp://:hunter2@cache:6379")))
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void adminEmailAndPasswordComeTogether() {
    assertThatThrownBy(
            () ->
                ServerConfig.parse(
                    List.of(), Map.of("ODIM_ADMIN_PASSWORD", "long enough password")))
        .hasMessage("ODIM_ADMIN_EMAIL: must be set when ODIM_ADMIN_PASSWORD is (both or neither)");
    assertThatThrownBy(
            () -> ServerConfig.parse(List.of(), Map.of("ODIM_ADMIN_EMAIL", "a@example.com")))
        .hasMessage("ODIM_ADMIN_PASSWORD: must be set when ODIM_ADMIN_EMAIL is (both or neither)");
  }

  @Test
  void unknownFlagAndFlagWithoutValueAreRejected() {
    assertThatThrownBy(() -> ServerConfig.parse(List.of("--prot", "80"), Map.of()))
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("--prot: is not a known flag; known flags are --port, --odim-data");
    assertThatThrownBy(() -> ServerConfig.parse(List.of("--port"), Map.of()))
        .hasMessage("--port: needs a value, as in --port VALUE");
    assertThatThrownBy(() -> ServerConfig.parse(List.of("--port", "--odim-data", "x"), Map.of()))
        .hasMessage("--port: needs a value, as in --port VALUE");
  }
}
