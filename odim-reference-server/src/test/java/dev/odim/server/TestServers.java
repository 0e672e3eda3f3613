package dev.odim.server;

import dev.odim.server.internal.web.Api;
import dev.odim.testkit.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Starts servers in-process on a free port against the test database. */
final class TestServers {
  /** A fixed test key, so that no test writes a key file into the working directory. */
  static final String ENCRYPTION_KEYS = "test:" + "A".repeat(43) + "=";

  private TestServers() {}

  static OdimServer start(TestDatabase database, Consumer<TestRoutes> extraRoutes) {
    return start(database.jdbcUrlWithCredentials(), extraRoutes);
  }

  static OdimServer start(String databaseUrl, Consumer<TestRoutes> extraRoutes) {
    return start(
        databaseUrl, Map.of(), Clock.systemUTC(), api -> extraRoutes.accept(new TestRoutes(api)));
  }

  /**
   * A server with extra settings on top of the test defaults: this database, the fixed key, and
   * rate limiting off (tests that are about rate limits turn it on with {@code ODIM_RATE_LIMIT}).
   */
  static OdimServer start(
      String databaseUrl, Map<String, String> settings, Clock clock, Consumer<Api> extraRoutes) {
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", databaseUrl);
    env.put("ODIM_ENCRYPTION_KEYS", ENCRYPTION_KEYS);
    env.put("ODIM_RATE_LIMIT", "off");
    // Uploads' bytes go under ODIM_DATA: one directory per server, none in the working directory.
    env.put("ODIM_DATA", dataDirectory().toString());
    env.putAll(settings);
    ServerConfig config = ServerConfig.parse(List.of("--port", "0"), env);
    return OdimServer.start(config, clock, extraRoutes);
  }

  /** A new empty directory for one server's files. */
  static Path dataDirectory() {
    try {
      return Files.createTempDirectory("odim-server-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
