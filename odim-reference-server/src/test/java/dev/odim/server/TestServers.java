package dev.odim.server;

import dev.odim.testkit.TestDatabase;
import io.javalin.config.RoutesConfig;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Starts servers in-process on a free port against the test database. */
final class TestServers {
  private TestServers() {}

  static OdimServer start(TestDatabase database, Consumer<RoutesConfig> extraRoutes) {
    return start(database.jdbcUrlWithCredentials(), extraRoutes);
  }

  static OdimServer start(String databaseUrl, Consumer<RoutesConfig> extraRoutes) {
    ServerConfig config =
        ServerConfig.parse(List.of("--port", "0"), Map.of("DATABASE_URL", databaseUrl));
    return OdimServer.start(config, Clock.systemUTC(), extraRoutes);
  }
}
