package dev.odim.queue.redis;

import dev.odim.core.db.Db;
import dev.odim.queue.contract.JobBackendContract;
import dev.odim.queue.spi.JobBackend;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.RedisExtension;
import dev.odim.testkit.TestDatabase;
import dev.odim.testkit.TestRedis;
import io.lettuce.core.RedisClient;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The backend contract on a real Redis, with PostgreSQL behind transactional handlers. Each test
 * gets a key prefix of its own on one shared Lettuce client.
 */
@ExtendWith({RedisExtension.class, PostgresExtension.class})
class RedisBackendContractTest extends JobBackendContract {
  private static RedisClient client;
  private static Db db;

  @BeforeAll
  static void start(TestRedis redis, TestDatabase database) {
    client = RedisClient.create(redis.uri());
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
    db.migrate("odim_queue_redis", "db/migration/odim_queue_redis");
  }

  @AfterAll
  static void stop() {
    db.close();
    client.shutdown();
  }

  @Override
  protected JobBackend openBackend(String namespace) {
    return RedisBackend.builder(client).keyPrefix(namespace).database(db).migrate(false).build();
  }

  @Override
  protected Optional<Db> effectsDatabase() {
    return Optional.of(db);
  }
}
