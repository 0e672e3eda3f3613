package dev.odim.bench.queue;

import dev.odim.core.db.Db;
import dev.odim.queue.postgres.PostgresBackend;
import dev.odim.queue.redis.RedisBackend;
import dev.odim.queue.spi.JobBackend;

/** Opens a fresh backend of each kind, shared by the benchmark and its crash worker process. */
enum Backends {
  PG("pg"),
  REDIS("redis");

  final String label;

  Backends(String label) {
    this.label = label;
  }

  /**
   * A backend whose jobs no earlier scenario sees: its own schema on PostgreSQL, its own key prefix
   * on Redis (whose transactional handlers record processed ids in {@code db}).
   */
  JobBackend open(Db db, String redisUri, String namespace) {
    return switch (this) {
      case PG -> PostgresBackend.builder(db).schema(namespace).build();
      case REDIS ->
          RedisBackend.builder(redisUri)
              .keyPrefix("bench:" + namespace)
              .database(db)
              .schema(namespace + "_redis")
              .build();
    };
  }

  static Backends of(String label) {
    for (Backends kind : values()) {
      if (kind.label.equals(label)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("no backend named " + label);
  }
}
