package dev.odim.webhooks.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.queue.JobQueue;
import dev.odim.queue.NewJob;
import dev.odim.webhooks.InboxEvent;
import dev.odim.webhooks.InboxQuery;
import dev.odim.webhooks.InboxStatus;
import dev.odim.webhooks.Receipt;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/** The inbox table's SQL. Every method works in the caller's transaction. */
public final class Inbox {
  private static final TypeReference<Map<String, List<String>>> HEADERS = new TypeReference<>() {};

  /**
   * A verified delivery on its way into the inbox.
   *
   * @param job the job that processes it, or null when it is stored as ignored
   */
  public record Incoming(
      UUID id,
      String provider,
      String key,
      @Nullable String type,
      @Nullable String orderingKey,
      InboxStatus status,
      String headersJson,
      byte[] body,
      Instant receivedAt,
      @Nullable NewJob job) {}

  /** A stored event as its processing job reads it. */
  public record Stored(
      UUID id,
      String provider,
      String key,
      @Nullable String type,
      InboxStatus status,
      Map<String, List<String>> headers,
      byte[] body,
      Instant receivedAt) {}

  private final String table;
  private final ObjectMapper json;

  public Inbox(String schema, ObjectMapper json) {
    this.table = schema + ".inbox";
    this.json = json;
  }

  /**
   * Stores a batch of deliveries and queues their jobs; answers each with its receipt. Deliveries
   * of an event already stored, in the table or earlier in the batch, are counted on that event.
   * Rows are inserted in key order, so two batches racing on the same new keys wait for each other
   * in one order rather than deadlock.
   */
  public List<Receipt> store(Handle handle, List<Incoming> batch, JobQueue queue, Instant now)
      throws SQLException {
    Map<String, Incoming> firsts = new LinkedHashMap<>();
    Map<String, Integer> deliveries = new HashMap<>();
    for (Incoming incoming : batch) {
      String identity = identity(incoming.provider(), incoming.key());
      firsts.putIfAbsent(identity, incoming);
      deliveries.merge(identity, 1, Integer::sum);
    }
    List<Incoming> unique = new ArrayList<>(firsts.values());
    unique.sort(
        Comparator.comparing(Incoming::provider)
            .thenComparing(Incoming::key, Comparator.naturalOrder()));
    Set<UUID> inserted = insert(handle.getConnection(), unique);

    // Later deliveries of each event: all of them when the event was already stored.
    List<Incoming> counted = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    for (Incoming first : unique) {
      int extra =
          deliveries.get(identity(first.provider(), first.key()))
              - (inserted.contains(first.id()) ? 1 : 0);
      if (extra > 0) {
        counted.add(first);
        counts.add(extra);
      }
    }
    Map<String, UUID> existing = countDuplicates(handle.getConnection(), counted, counts, now);

    List<NewJob> jobs = new ArrayList<>();
    for (Incoming first : unique) {
      if (inserted.contains(first.id()) && first.job() != null) {
        jobs.add(first.job());
      }
    }
    if (!jobs.isEmpty()) {
      queue.enqueueAll(handle, jobs);
    }

    List<Receipt> receipts = new ArrayList<>(batch.size());
    for (Incoming incoming : batch) {
      String identity = identity(incoming.provider(), incoming.key());
      Incoming first = firsts.get(identity);
      if (first == incoming && inserted.contains(incoming.id())) {
        receipts.add(new Receipt.Stored(incoming.id(), incoming.status()));
      } else if (inserted.contains(first.id())) {
        receipts.add(new Receipt.Duplicate(first.id()));
      } else {
        UUID id = existing.get(identity);
        if (id == null) {
          // the conflicting row went away between the insert and the update: run the batch again
          throw new SQLException("inbox event " + identity + " vanished while it was stored");
        }
        receipts.add(new Receipt.Duplicate(id));
      }
    }
    return receipts;
  }

  private static String identity(String provider, String key) {
    return provider + '\u0000' + key;
  }

  private Set<UUID> insert(Connection connection, List<Incoming> rows) throws SQLException {
    int n = rows.size();
    Object[] ids = new Object[n];
    String[] providers = new String[n];
    String[] keys = new String[n];
    String[] types = new String[n];
    String[] orderings = new String[n];
    String[] statuses = new String[n];
    String[] headers = new String[n];
    byte[][] bodies = new byte[n][];
    Timestamp[] received = new Timestamp[n];
    for (int i = 0; i < n; i++) {
      Incoming row = rows.get(i);
      ids[i] = row.id();
      providers[i] = row.provider();
      keys[i] = row.key();
      types[i] = row.type();
      orderings[i] = row.orderingKey();
      statuses[i] = row.status().dbName();
      headers[i] = row.headersJson();
      bodies[i] = row.body();
      received[i] = Timestamp.from(row.receivedAt());
    }
    String sql =
        "INSERT INTO "
            + table
            + " (id, provider, event_key, event_type, ordering_key, status, headers, body,"
            + " received_at)"
            + " SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[],"
            + " ?::text[], ?::jsonb[], ?::bytea[], ?::timestamptz[])"
            + " ON CONFLICT (provider, event_key) DO NOTHING RETURNING id";
    Set<UUID> inserted = new HashSet<>();
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setArray(1, connection.createArrayOf("uuid", ids));
      statement.setArray(2, connection.createArrayOf("text", providers));
      statement.setArray(3, connection.createArrayOf("text", keys));
      statement.setArray(4, connection.createArrayOf("text", types));
      statement.setArray(5, connection.createArrayOf("text", orderings));
      statement.setArray(6, connection.createArrayOf("text", statuses));
      statement.setArray(7, connection.createArrayOf("text", headers));
      statement.setArray(8, connection.createArrayOf("bytea", bodies));
      statement.setArray(9, connection.createArrayOf("timestamptz", received));
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          inserted.add(rs.getObject(1, UUID.class));
        }
      }
    }
    return inserted;
  }

  /** Adds the later deliveries to each event's count; answers each event's id by identity. */
  private Map<String, UUID> countDuplicates(
      Connection connection, List<Incoming> events, List<Integer> counts, Instant now)
      throws SQLException {
    Map<String, UUID> ids = new HashMap<>();
    if (events.isEmpty()) {
      return ids;
    }
    int n = events.size();
    String[] providers = new String[n];
    String[] keys = new String[n];
    Integer[] extra = counts.toArray(new Integer[0]);
    for (int i = 0; i < n; i++) {
      providers[i] = events.get(i).provider();
      keys[i] = events.get(i).key();
    }
    String sql =
        "UPDATE "
            + table
            + " i SET duplicates = i.duplicates + c.n, last_duplicate_at = ?"
            + " FROM unnest(?::text[], ?::text[], ?::int[]) AS c (provider, event_key, n)"
            + " WHERE i.provider = c.provider AND i.event_key = c.event_key"
            + " RETURNING i.id, i.provider, i.event_key";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setTimestamp(1, Timestamp.from(now));
      statement.setArray(2, connection.createArrayOf("text", providers));
      statement.setArray(3, connection.createArrayOf("text", keys));
      statement.setArray(4, connection.createArrayOf("int4", extra));
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          ids.put(identity(rs.getString(2), rs.getString(3)), rs.getObject(1, UUID.class));
        }
      }
    }
    return ids;
  }

  /** Locks a stored event for its processing job; empty when there is none. */
  public Optional<Stored> lock(Handle handle, UUID id) {
    return handle
        .createQuery(
            "SELECT id, provider, event_key, event_type, status, headers::text AS headers, body,"
                + " received_at FROM "
                + table
                + " WHERE id = :id FOR UPDATE")
        .bind("id", id)
        .map(
            (rs, ctx) ->
                new Stored(
                    rs.getObject("id", UUID.class),
                    rs.getString("provider"),
                    rs.getString("event_key"),
                    rs.getString("event_type"),
                    InboxStatus.fromDb(rs.getString("status")),
                    headers(rs.getString("headers")),
                    rs.getBytes("body"),
                    rs.getTimestamp("received_at").toInstant()))
        .findOne();
  }

  /** Marks an event processed or ignored by the attempt that decided it. */
  public void finish(Handle handle, UUID id, InboxStatus status, int attempt, Instant now) {
    handle
        .createUpdate(
            "UPDATE "
                + table
                + " SET status = :status, processed_at = :now, attempts = :attempt"
                + " WHERE id = :id")
        .bind("status", status.dbName())
        .bind("now", now)
        .bind("attempt", attempt)
        .bind("id", id)
        .execute();
  }

  /** Records a failed attempt; {@code dead} when processing gave up. */
  public void recordFailure(Handle handle, UUID id, int attempt, String error, boolean dead) {
    handle
        .createUpdate(
            "UPDATE "
                + table
                + " SET attempts = greatest(attempts, :attempt), last_error = :error,"
                + " status = CASE WHEN :dead AND status = 'received' THEN 'dead' ELSE status END"
                + " WHERE id = :id")
        .bind("attempt", attempt)
        .bind("error", error)
        .bind("dead", dead)
        .bind("id", id)
        .execute();
  }

  /**
   * Moves an event from {@code from} back to received for a replay; false when it was not in one of
   * those statuses.
   */
  public boolean reopen(Handle handle, UUID id, List<InboxStatus> from) {
    return handle
            .createUpdate(
                "UPDATE "
                    + table
                    + " SET status = 'received', last_error = NULL"
                    + " WHERE id = :id AND status = ANY(:from)")
            .bind("id", id)
            .bindArray("from", String.class, from.stream().map(InboxStatus::dbName).toList())
            .execute()
        == 1;
  }

  /** How many events wait for processing. */
  public long backlog(Handle handle) {
    return handle
        .createQuery("SELECT count(*) FROM " + table + " WHERE status = 'received'")
        .mapTo(Long.class)
        .one();
  }

  public Optional<InboxEvent> find(Handle handle, UUID id) {
    return handle
        .createQuery(SELECT_EVENT + table + " WHERE id = :id")
        .bind("id", id)
        .map((rs, ctx) -> event(rs))
        .findOne();
  }

  public List<InboxEvent> page(Handle handle, InboxQuery query) {
    StringBuilder sql = new StringBuilder(SELECT_EVENT).append(table).append(" WHERE true");
    if (query.status() != null) {
      sql.append(" AND status = :status");
    }
    if (query.provider() != null) {
      sql.append(" AND provider = :provider");
    }
    if (query.type() != null) {
      sql.append(" AND event_type = :type");
    }
    if (query.beforeReceivedAt() != null) {
      sql.append(" AND (received_at, id) < (:beforeAt, :beforeId)");
    }
    sql.append(" ORDER BY received_at DESC, id DESC LIMIT :limit");
    var statement = handle.createQuery(sql.toString()).bind("limit", query.limit());
    if (query.status() != null) {
      statement.bind("status", query.status().dbName());
    }
    if (query.provider() != null) {
      statement.bind("provider", query.provider());
    }
    if (query.type() != null) {
      statement.bind("type", query.type());
    }
    if (query.beforeReceivedAt() != null) {
      statement.bind("beforeAt", query.beforeReceivedAt()).bind("beforeId", query.beforeId());
    }
    return statement.map((rs, ctx) -> event(rs)).list();
  }

  /** The ids of the events a query selects, oldest first, at most {@code max}. */
  public List<UUID> ids(Handle handle, InboxQuery query, int max) {
    List<UUID> ids = new ArrayList<>();
    InboxQuery page = query.withLimit(Math.min(500, max));
    while (ids.size() < max) {
      List<InboxEvent> events = page(handle, page);
      events.forEach(e -> ids.add(e.id()));
      if (events.size() < page.limit()) {
        break;
      }
      page = page.after(events.getLast());
    }
    return ids.reversed();
  }

  private static final String SELECT_EVENT =
      "SELECT id, provider, event_key, event_type, ordering_key, status, headers::text AS headers,"
          + " body, received_at, processed_at, attempts, last_error, duplicates,"
          + " last_duplicate_at FROM ";

  private InboxEvent event(ResultSet rs) throws SQLException {
    String body = new String(rs.getBytes("body"), StandardCharsets.UTF_8);
    return new InboxEvent(
        rs.getObject("id", UUID.class),
        rs.getString("provider"),
        rs.getString("event_key"),
        rs.getString("event_type"),
        rs.getString("ordering_key"),
        InboxStatus.fromDb(rs.getString("status")),
        headers(rs.getString("headers")),
        body,
        pretty(body),
        rs.getTimestamp("received_at").toInstant(),
        instant(rs.getTimestamp("processed_at")),
        rs.getInt("attempts"),
        rs.getString("last_error"),
        rs.getInt("duplicates"),
        instant(rs.getTimestamp("last_duplicate_at")));
  }

  private String pretty(String body) {
    try {
      return json.writerWithDefaultPrettyPrinter().writeValueAsString(json.readTree(body));
    } catch (Exception e) {
      return body; // not JSON: shown as it arrived
    }
  }

  private Map<String, List<String>> headers(String stored) {
    try {
      return json.readValue(stored, HEADERS);
    } catch (Exception e) {
      throw new IllegalStateException("unreadable headers in the inbox", e);
    }
  }

  private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}
