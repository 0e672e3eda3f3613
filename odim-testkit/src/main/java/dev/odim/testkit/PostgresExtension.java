package dev.odim.testkit;

import dev.odim.testkit.internal.PostgresServer;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test class a database of its own on one PostgreSQL server per test JVM: embedded
 * PostgreSQL by default, or the real server named by {@code ODIM_TEST_POSTGRES_URL}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresExtension POSTGRES =
 *     PostgresExtension.fromTemplate("ledger", db -> migrate(db.jdbcUrlWithCredentials()));
 *
 * @Test
 * void transferMovesMoney(TestDatabase db) { ... }
 * }</pre>
 *
 * <p>With {@code @ExtendWith(PostgresExtension.class)} each class gets an empty database. With
 * {@link #fromTemplate} the initializer (migrations, fixtures) runs once per JVM on a template
 * database, and each class gets a clone of it. A {@link TestDatabase} parameter of a test, a
 * lifecycle method or a constructor receives the class's database.
 */
public final class PostgresExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PostgresExtension.class);

  private final @Nullable String templateName;
  private final @Nullable Consumer<TestDatabase> initializer;

  /** An empty database per test class. */
  public PostgresExtension() {
    this.templateName = null;
    this.initializer = null;
  }

  private PostgresExtension(String templateName, Consumer<TestDatabase> initializer) {
    this.templateName = templateName;
    this.initializer = initializer;
  }

  /**
   * A database per test class cloned from the template {@code name} (1-30 of {@code [a-z0-9_]}),
   * which {@code initializer} prepares once per JVM. The initializer must close its connections.
   */
  public static PostgresExtension fromTemplate(String name, Consumer<TestDatabase> initializer) {
    return new PostgresExtension(
        Objects.requireNonNull(name, "name"), Objects.requireNonNull(initializer, "initializer"));
  }

  /** The server every test class of this JVM shares, started on first use. */
  public static PostgresServer server(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            PostgresServer.class,
            key -> PostgresServer.start(System.getenv()),
            PostgresServer.class);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    PostgresServer server = server(context);
    TestDatabase database =
        templateName == null || initializer == null
            ? server.createDatabase()
            : server.createDatabase(templateName, initializer);
    context.getStore(NAMESPACE).put(TestDatabase.class, database);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    TestDatabase database =
        context.getStore(NAMESPACE).remove(TestDatabase.class, TestDatabase.class);
    if (database != null) {
      server(context).dropDatabase(database);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    TestDatabase database = context.getStore(NAMESPACE).get(TestDatabase.class, TestDatabase.class);
    if (database == null) {
      throw new IllegalStateException(
          "no test database yet: register PostgresExtension as a static field or with @ExtendWith");
    }
    return database;
  }
}
