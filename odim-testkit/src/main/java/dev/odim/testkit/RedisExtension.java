package dev.odim.testkit;

import dev.odim.testkit.internal.RedisServerHolder;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One Redis server per test JVM (embedded, or {@code ODIM_TEST_REDIS_URL}), emptied before each
 * test class. A {@link TestRedis} parameter receives its address.
 *
 * <pre>{@code
 * @ExtendWith(RedisExtension.class)
 * class RedisQueueTest {
 *   @Test
 *   void enqueues(TestRedis redis) { RedisClient.create(redis.uri()) ... }
 * }
 * }</pre>
 */
public final class RedisExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RedisExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    server(context).flush();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestRedis.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server(context).address();
  }

  private static RedisServerHolder server(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            RedisServerHolder.class,
            key -> RedisServerHolder.start(System.getenv()),
            RedisServerHolder.class);
  }
}
