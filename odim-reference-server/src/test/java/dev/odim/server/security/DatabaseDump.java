package dev.odim.server.security;

import dev.odim.core.db.Db;
import java.util.List;

/** Every row of every table of every schema but PostgreSQL's own, as text: a logical dump. */
final class DatabaseDump {
  private DatabaseDump() {}

  static String everything(Db db) {
    return db.withHandle(
        h -> {
          StringBuilder dump = new StringBuilder();
          List<String> tables =
              h.createQuery(
                      """
                      SELECT quote_ident(table_schema) || '.' || quote_ident(table_name)
                        FROM information_schema.tables
                       WHERE table_type = 'BASE TABLE'
                         AND table_schema NOT IN ('pg_catalog', 'information_schema')
                      """)
                  .mapTo(String.class)
                  .list();
          for (String table : tables) {
            dump.append("-- ").append(table).append('\n');
            h.createQuery("SELECT t::text FROM " + table + " t")
                .mapTo(String.class)
                .forEach(row -> dump.append(row).append('\n'));
          }
          return dump.toString();
        });
  }
}
