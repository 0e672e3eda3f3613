package dev.odim.uploads.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.db.Db;
import dev.odim.uploads.UploadConcat;
import dev.odim.uploads.UploadState;
import dev.odim.uploads.UploadsException;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of the upload table. Lease times are the database's ({@code clock_timestamp()}), so
 * instances with skewed clocks agree on who holds a lease; expiry uses the injected clock, so tests
 * can move it.
 */
public final class UploadTable {
  private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() {};
  private static final String COLUMNS =
      "id, owner, upload_offset, upload_length, metadata::text AS metadata, metadata_header,"
          + " state, concat, parts, media_type, created_at, expires_at";

  private final Db db;
  private final String table;
  private final ObjectMapper json;

  /** The queries that run per request or per heartbeat; QueryPlansTest checks their indexes. */
  final String measure;

  final String renew;
  final String expired;
  final String byId;

  public UploadTable(Db db, String schema, ObjectMapper json) {
    this.db = db;
    this.table = schema + ".uploads";
    this.json = json;
    this.measure =
        "SELECT coalesce(sum(coalesce(upload_length, upload_offset)), 0) FROM "
            + table
            + " WHERE owner = :owner";
    this.renew =
        "UPDATE "
            + table
            + " SET lease_until = clock_timestamp() + :ms * interval '1 millisecond'"
            + " WHERE lease_holder = ANY(:tokens) RETURNING lease_holder, release_requested";
    this.expired =
        "SELECT id FROM " + table + " WHERE expires_at <= :now ORDER BY expires_at LIMIT :limit";
    this.byId = "SELECT " + COLUMNS + " FROM " + table + " WHERE id = :id";
  }

  /** A new upload's row. */
  public record NewUpload(
      UUID id,
      String owner,
      @Nullable Long length,
      Map<String, String> metadata,
      @Nullable String metadataHeader,
      UploadConcat concat,
      List<UUID> parts,
      Instant now,
      @Nullable Instant expiresAt) {}

  public void insert(Handle handle, NewUpload upload) {
    handle
        .createUpdate(
            "INSERT INTO "
                + table
                + " (id, owner, upload_offset, upload_length, metadata, metadata_header, state,"
                + " concat, parts, created_at, updated_at, expires_at) VALUES (:id, :owner, 0,"
                + " :length, CAST(:metadata AS jsonb), :header, 'uploading', :concat, :parts,"
                + " :now, :now, :expires)")
        .bind("id", upload.id())
        .bind("owner", upload.owner())
        .bind("length", upload.length())
        .bind("metadata", write(upload.metadata()))
        .bind("header", upload.metadataHeader())
        .bind("concat", upload.concat().name().toLowerCase(Locale.ROOT))
        .bind("parts", upload.parts().isEmpty() ? null : upload.parts().toArray(UUID[]::new))
        .bind("now", time(upload.now()))
        .bind("expires", upload.expiresAt() == null ? null : time(upload.expiresAt()))
        .execute();
  }

  /**
   * The bytes {@code owner}'s uploads hold or will hold, under a transaction-scoped lock per owner
   * so that two creations cannot both pass the quota on the same remaining room.
   */
  public long lockAndMeasure(Handle handle, String owner) {
    handle
        .createQuery("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
        .bind("key", table + "/" + owner)
        .mapTo(String.class)
        .one();
    return handle.createQuery(measure).bind("owner", owner).mapTo(Long.class).one();
  }

  public Optional<UploadRow> find(UUID id) {
    return db.withHandle(
        handle -> handle.createQuery(byId).bind("id", id).map((rs, ctx) -> row(rs)).findOne());
  }

  public List<UploadRow> findAll(Collection<UUID> ids) {
    return db.withHandle(
        handle ->
            handle
                .createQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE id = ANY(:ids)")
                .bind("ids", ids.toArray(UUID[]::new))
                .map((rs, ctx) -> row(rs))
                .list());
  }

  /** Takes the lease when nobody holds it or the holder's has run out; the row when taken. */
  public Optional<UploadRow> acquire(UUID id, String token, long leaseMillis) {
    return db.withHandle(
        handle ->
            handle
                .createQuery(
                    "UPDATE "
                        + table
                        + " SET lease_holder = :token, lease_until = clock_timestamp() + :ms *"
                        + " interval '1 millisecond', release_requested = false WHERE id = :id"
                        + " AND (lease_holder IS NULL OR lease_until < clock_timestamp())"
                        + " RETURNING "
                        + COLUMNS)
                .bind("id", id)
                .bind("token", token)
                .bind("ms", leaseMillis)
                .map((rs, ctx) -> row(rs))
                .findOne());
  }

  /** Asks the lease's holder to let go; the holder's token, when someone holds it. */
  public Optional<String> requestRelease(UUID id) {
    return db.withHandle(
        handle ->
            handle
                .createQuery(
                    "UPDATE "
                        + table
                        + " SET release_requested = true WHERE id = :id AND lease_holder IS NOT"
                        + " NULL RETURNING lease_holder")
                .bind("id", id)
                .mapTo(String.class)
                .findOne());
  }

  /**
   * Extends the leases of {@code tokens}; for each token still holding its lease, whether someone
   * asked it to let go. A token missing from the answer has lost its lease.
   */
  public Map<String, Boolean> renew(Collection<String> tokens, long leaseMillis) {
    return db.withHandle(
        handle -> {
          Map<String, Boolean> held = new HashMap<>();
          handle
              .createQuery(renew)
              .bind("tokens", tokens.toArray(String[]::new))
              .bind("ms", leaseMillis)
              .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getBoolean(2)))
              .forEach(entry -> held.put(entry.getKey(), entry.getValue()));
          return held;
        });
  }

  public void release(UUID id, String token) {
    db.withHandle(
        handle ->
            handle
                .createUpdate(
                    "UPDATE "
                        + table
                        + " SET lease_holder = NULL, lease_until = NULL, release_requested ="
                        + " false WHERE id = :id AND lease_holder = :token")
                .bind("id", id)
                .bind("token", token)
                .execute());
  }

  /**
   * Records a durable offset, only while {@code token} holds the lease and the offset is the one
   * the writer started from; false when another writer took over.
   */
  public boolean recordOffset(
      UUID id, String token, long from, long to, Instant now, Instant expiresAt) {
    return db.withHandle(
            handle ->
                handle
                    .createUpdate(
                        "UPDATE "
                            + table
                            + " SET upload_offset = :to, updated_at = :now, expires_at = :expires"
                            + " WHERE id = :id AND lease_holder = :token AND upload_offset ="
                            + " :from")
                    .bind("id", id)
                    .bind("token", token)
                    .bind("from", from)
                    .bind("to", to)
                    .bind("now", time(now))
                    .bind("expires", time(expiresAt))
                    .execute())
        == 1;
  }

  /** Sets a deferred length, under the owner's quota lock; false when someone set it meanwhile. */
  public boolean declareLength(Handle handle, UUID id, String token, long length) {
    return handle
            .createUpdate(
                "UPDATE "
                    + table
                    + " SET upload_length = :length WHERE id = :id AND lease_holder = :token"
                    + " AND upload_length IS NULL AND upload_offset <= :length")
            .bind("id", id)
            .bind("token", token)
            .bind("length", length)
            .execute()
        == 1;
  }

  /** Marks a complete upload finished; false when it is not complete or already finished. */
  public boolean finish(
      Handle handle, UUID id, @Nullable String mediaType, Instant now, boolean keepExpiry) {
    return handle
            .createUpdate(
                "UPDATE "
                    + table
                    + " SET state = 'finished', media_type = :type, finished_at = :now,"
                    + " updated_at = :now"
                    + (keepExpiry ? "" : ", expires_at = NULL")
                    + " WHERE id = :id AND state = 'uploading' AND upload_offset = upload_length")
            .bind("id", id)
            .bind("type", mediaType)
            .bind("now", time(now))
            .execute()
        == 1;
  }

  public Optional<UploadRow> findIn(Handle handle, UUID id) {
    return handle
        .createQuery("SELECT " + COLUMNS + " FROM " + table + " WHERE id = :id")
        .bind("id", id)
        .map((rs, ctx) -> row(rs))
        .findOne();
  }

  /** Deletes an upload whose lease {@code token} holds (termination, refused media type). */
  public boolean deleteHeld(UUID id, String token) {
    return db.withHandle(
            handle ->
                handle
                    .createUpdate(
                        "DELETE FROM " + table + " WHERE id = :id AND lease_holder = :token")
                    .bind("id", id)
                    .bind("token", token)
                    .execute())
        == 1;
  }

  /** Deletes an expired upload unless a live writer holds it; true when deleted. */
  public boolean deleteExpired(UUID id, Instant now) {
    return db.withHandle(
            handle ->
                handle
                    .createUpdate(
                        "DELETE FROM "
                            + table
                            + " WHERE id = :id AND expires_at <= :now AND (lease_holder IS NULL"
                            + " OR lease_until < clock_timestamp())")
                    .bind("id", id)
                    .bind("now", time(now))
                    .execute())
        == 1;
  }

  public List<UUID> expired(Instant now, int limit) {
    return db.withHandle(
        handle ->
            handle
                .createQuery(expired)
                .bind("now", time(now))
                .bind("limit", limit)
                .mapTo(UUID.class)
                .list());
  }

  public Set<UUID> existing(Collection<UUID> ids) {
    return db.withHandle(
        handle ->
            new HashSet<>(
                handle
                    .createQuery("SELECT id FROM " + table + " WHERE id = ANY(:ids)")
                    .bind("ids", ids.toArray(UUID[]::new))
                    .mapTo(UUID.class)
                    .list()));
  }

  private UploadRow row(ResultSet rs) throws SQLException {
    long length = rs.getLong("upload_length");
    Long maybeLength = rs.wasNull() ? null : length;
    Array partsArray = rs.getArray("parts");
    List<UUID> parts = new ArrayList<>();
    if (partsArray != null) {
      for (Object part : (Object[]) partsArray.getArray()) {
        parts.add((UUID) part);
      }
    }
    OffsetDateTime expires = rs.getObject("expires_at", OffsetDateTime.class);
    return new UploadRow(
        rs.getObject("id", UUID.class),
        rs.getString("owner"),
        rs.getLong("upload_offset"),
        maybeLength,
        read(rs.getString("metadata")),
        rs.getString("metadata_header"),
        UploadState.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)),
        UploadConcat.valueOf(rs.getString("concat").toUpperCase(Locale.ROOT)),
        parts,
        rs.getString("media_type"),
        rs.getObject("created_at", OffsetDateTime.class).toInstant(),
        expires == null ? null : expires.toInstant());
  }

  private String write(Map<String, String> metadata) {
    try {
      return json.writeValueAsString(metadata);
    } catch (JsonProcessingException e) {
      throw new UploadsException("metadata could not be written as JSON", e);
    }
  }

  private Map<String, String> read(String metadata) {
    try {
      return json.readValue(metadata, METADATA);
    } catch (JsonProcessingException e) {
      throw new UploadsException("stored metadata is not a JSON object of strings", e);
    }
  }

  private static OffsetDateTime time(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
