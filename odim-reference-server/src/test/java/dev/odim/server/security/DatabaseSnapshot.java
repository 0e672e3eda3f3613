package dev.odim.server.security;

import dev.odim.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tables of every non-system schema and their row counts at one moment: compared before and
 * after an attack, it shows that no table was dropped or created and which tables changed.
 *
 * @param rows the row count by {@code schema.table}
 */
record DatabaseSnapshot(Map<String, Long> rows) {
  static DatabaseSnapshot of(TestDatabase database) {
    try (Connection c = database.connect();
        Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet r =
          s.executeQuery(
              "SELECT table_schema, table_name FROM information_schema.tables"
                  + " WHERE table_type = 'BASE TABLE'"
                  + " AND table_schema NOT IN ('pg_catalog', 'information_schema')"
                  + " AND table_schema NOT LIKE 'pg_toast%'")) {
        while (r.next()) {
          tables.add(quote(r.getString(1)) + "." + quote(r.getString(2)));
        }
      }
      Map<String, Long> rows = new TreeMap<>();
      for (String table : tables) {
        try (ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
          r.next();
          rows.put(table.replace("\"", ""), r.getLong(1));
        }
      }
      return new DatabaseSnapshot(Map.copyOf(rows));
    } catch (SQLException e) {
      throw new AssertionError("could not read the database", e);
    }
  }

  /** {@code schema.table} of every table. */
  TreeSet<String> tables() {
    return new TreeSet<>(rows.keySet());
  }

  long rows(String table) {
    Long count = rows.get(table);
    if (count == null) {
      throw new AssertionError("no table " + table + " in " + rows.keySet());
    }
    return count;
  }

  /** The tables whose row count differs in {@code later}, with the difference. */
  Map<String, Long> changesTo(DatabaseSnapshot later) {
    Map<String, Long> changes = new TreeMap<>();
    for (String table : tables()) {
      long delta = later.rows.getOrDefault(table, 0L) - rows.get(table);
      if (delta != 0) {
        changes.put(table, delta);
      }
    }
    return changes;
  }

  /** Users that have no session: a signup that stopped half-way would leave one. */
  static long usersWithoutSession(TestDatabase database) {
    try (Connection c = database.connect();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT count(*) FROM odim_server.users u WHERE u.role <> 'admin' AND NOT EXISTS"
                    + " (SELECT 1 FROM odim_server.sessions s WHERE s.user_id = u.id)")) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw new AssertionError("could not read the database", e);
    }
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
