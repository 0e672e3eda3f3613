package dev.odim.testkit.internal;

import dev.odim.testkit.EmbeddedPostgres;
import dev.odim.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The one PostgreSQL server of a test JVM: embedded, or the real one named by {@code
 * ODIM_TEST_POSTGRES_URL}. Hands out a fresh database per test class, cloned from a migrated
 * template database (PostgreSQL copies a template in milliseconds; migrating anew each class would
 * cost seconds). Names carry a random run id so that concurrent runs on one real server never meet.
 */
public final class PostgresServer implements AutoCloseable {
  public static final String URL_VARIABLE = "ODIM_TEST_POSTGRES_URL";

  private final ServerAddress admin;
  private final @Nullable EmbeddedPostgres embedded;
  private final String runId = HexFormat.of().formatHex(randomBytes());
  private final AtomicInteger counter = new AtomicInteger();
  private final Map<String, String> templates = new ConcurrentHashMap<>();

  private PostgresServer(ServerAddress admin, @Nullable EmbeddedPostgres embedded) {
    this.admin = admin;
    this.embedded = embedded;
  }

  /** Connects to {@code ODIM_TEST_POSTGRES_URL} when set, else starts an embedded server. */
  public static PostgresServer start(Map<String, String> environment) {
    String url = environment.get(URL_VARIABLE);
    if (url != null && !url.isBlank()) {
      return new PostgresServer(ServerAddress.parse(URL_VARIABLE, url), null);
    }
    EmbeddedPostgres pg = EmbeddedPostgres.builder().durable(false).start();
    return new PostgresServer(
        new ServerAddress("127.0.0.1", pg.port(), "postgres", EmbeddedPostgres.USER, null), pg);
  }

  /** A new empty database. */
  public TestDatabase createDatabase() {
    String name = "odim_t_" + runId + "_" + counter.incrementAndGet();
    execute("CREATE DATABASE " + name);
    return database(name);
  }

  /**
   * A new database cloned from the template {@code templateName}, which is created and handed to
   * {@code initializer} (to run migrations, load fixtures) on first use in this JVM.
   */
  public TestDatabase createDatabase(String templateName, Consumer<TestDatabase> initializer) {
    if (!templateName.matches("[a-z0-9_]{1,30}")) {
      throw new IllegalArgumentException(
          "template name must be 1-30 of [a-z0-9_], was \"" + templateName + "\"");
    }
    String template =
        templates.computeIfAbsent(
            templateName,
            key -> {
              String name = "odim_tpl_" + key + "_" + runId;
              execute("CREATE DATABASE " + name);
              initializer.accept(database(name));
              return name;
            });
    String name = "odim_t_" + runId + "_" + counter.incrementAndGet();
    // CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template; an initializer
    // that left a pool open must not break every later class.
    execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
            + template
            + "' AND pid <> pg_backend_pid()");
    execute("CREATE DATABASE " + name + " TEMPLATE " + template);
    return database(name);
  }

  /** Drops a database handed out before, ending its sessions. */
  public void dropDatabase(TestDatabase database) {
    execute("DROP DATABASE IF EXISTS " + database.name() + " WITH (FORCE)");
  }

  /** The embedded server, or null when tests run against a real one. */
  public @Nullable EmbeddedPostgres embedded() {
    return embedded;
  }

  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
      return;
    }
    for (String template : templates.values()) {
      execute("DROP DATABASE IF EXISTS " + template + " WITH (FORCE)");
    }
  }

  private TestDatabase database(String name) {
    return new TestDatabase(name, admin.jdbcUrl(name), admin.user(), admin.password());
  }

  private void execute(String sql) {
    TestDatabase adminDb = database(admin.database());
    try (Connection connection = adminDb.connect();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "test database setup failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[3];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
