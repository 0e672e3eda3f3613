package dev.odim.bench.payments;

import dev.odim.core.db.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Samples what the backends of one pool (by {@code application_name}) are doing every 10 ms, from
 * {@code pg_stat_activity}, on a connection and a platform thread of its own: where the settlement
 * transactions' time goes, from PostgreSQL's side (waiting on a row lock, on the WAL flush, or on
 * the application to send the next statement).
 */
final class WaitSampler implements AutoCloseable {
  private final Connection connection;
  private final PreparedStatement query;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Map<String, Long> samples = new TreeMap<>();
  private final Thread thread;

  WaitSampler(DatabaseUrl url, String applicationName) throws SQLException {
    Properties credentials = new Properties();
    if (url.user() != null) {
      credentials.setProperty("user", url.user());
    }
    if (url.password() != null) {
      credentials.setProperty("password", url.password());
    }
    connection = DriverManager.getConnection(url.jdbcUrl(), credentials);
    query =
        connection.prepareStatement(
            "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'on CPU')"
                // which statement waits for a lock says which rows are contended
                + " || CASE WHEN wait_event_type = 'Lock' THEN ' in ' || left(regexp_replace("
                + "query, '\\s+', ' ', 'g'), 60) ELSE '' END FROM pg_stat_activity WHERE"
                + " application_name = ? AND pid <> pg_backend_pid()");
    query.setString(1, applicationName);
    thread = Thread.ofPlatform().name("bench-wait-sampler").daemon().start(this::sample);
  }

  private void sample() {
    try {
      while (running.get()) {
        try (ResultSet rs = query.executeQuery()) {
          synchronized (samples) {
            while (rs.next()) {
              String state = rs.getString(1);
              // An idle backend is a pooled connection nobody is using: not part of a settlement.
              if (state != null && !state.equals("idle")) {
                samples.merge(state + " " + rs.getString(2), 1L, Long::sum);
              }
            }
          }
        }
        Thread.sleep(10);
      }
    } catch (SQLException e) {
      synchronized (samples) {
        samples.merge("sampler failed: " + e.getMessage(), 1L, Long::sum);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The share of busy-backend samples per state and wait, largest first. */
  Map<String, Double> shares() {
    Map<String, Long> copy;
    synchronized (samples) {
      copy = new TreeMap<>(samples);
    }
    long total = copy.values().stream().mapToLong(Long::longValue).sum();
    Map<String, Double> shares = new LinkedHashMap<>();
    copy.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(e -> shares.put(e.getKey(), total == 0 ? 0 : (double) e.getValue() / total));
    return shares;
  }

  /** The share of busy-backend samples that were waiting for a lock. */
  double lockWaitShare() {
    return shares().entrySet().stream()
        .filter(e -> e.getKey().contains(" Lock:"))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  @Override
  public void close() throws SQLException {
    running.set(false);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    connection.close();
  }
}
