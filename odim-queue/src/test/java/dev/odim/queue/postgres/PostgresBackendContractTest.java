package dev.odim.queue.postgres;

import dev.odim.core.db.Db;
import dev.odim.queue.contract.JobBackendContract;
import dev.odim.queue.spi.JobBackend;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The backend contract on PostgreSQL: each test gets a schema of its own in the class's database.
 */
@ExtendWith(PostgresExtension.class)
class PostgresBackendContractTest extends JobBackendContract {
  private static Db db;

  @BeforeAll
  static void open(TestDatabase database) {
    // room for a LISTEN connection, two workers' fetch and completion, and 8 transactional handlers
    db = Db.builder(database.jdbcUrlWithCredentials()).maximumPoolSize(20).build();
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Override
  protected JobBackend openBackend(String namespace) {
    return PostgresBackend.builder(db).schema(namespace).clock(clock).build();
  }

  @Override
  protected Optional<Db> effectsDatabase() {
    return Optional.of(db);
  }
}
