package dev.odim.uploads;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.odim.core.db.Db;
import dev.odim.core.http.HttpHandler;
import dev.odim.uploads.internal.Leases;
import dev.odim.uploads.internal.Settings;
import dev.odim.uploads.internal.TusHandler;
import dev.odim.uploads.internal.UploadMeters;
import dev.odim.uploads.internal.UploadTable;
import dev.odim.uploads.store.UploadStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Resumable uploads that survive broken connections, crashes and a change of instance: tus 1.0 with
 * upload state in PostgreSQL and bytes in an {@link UploadStore}.
 *
 * <pre>{@code
 * Uploads uploads = Uploads.builder(db)
 *     .directory(dataDir.resolve("uploads"))
 *     .access(request -> sessions.userId(request))          // empty -> 401
 *     .allowedMediaTypes(List.of("image/*", "video/mp4"))
 *     .onCompletion((handle, upload) -> content.create(handle, upload))
 *     .build();
 * server.mount("/uploads/*", uploads.handler());          // any HttpHandler host
 * queue.recurring("uploads.clean-up", every(1, HOURS), uploads::cleanUp);
 * }</pre>
 *
 * <p>The offset a client sees in HEAD only ever counts bytes the store made durable, so after a
 * broken connection or a {@code kill -9} the client resumes from there and the finished file is
 * byte-identical to what it sent. One writer at a time holds an upload's lease; a PATCH that finds
 * the lease held asks the holder to let go and waits at most about one lease timeout.
 */
public final class Uploads implements AutoCloseable {
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final int BATCH = 500;

  private final Settings settings;
  private final UploadTable table;
  private final Leases leases;
  private final UploadMeters meters;
  private final TusHandler handler;
  private final boolean ownsStore;

  Uploads(UploadsBuilder builder, UploadStore store, UploadAccess access) {
    ObjectMapper json = JsonMapper.builder().build();
    Path spool =
        builder.spoolDirectory != null
            ? builder.spoolDirectory
            : Path.of(System.getProperty("java.io.tmpdir"));
    this.settings =
        new Settings(
            builder.schema,
            builder.clock,
            store,
            builder.basePath,
            builder.maxSize,
            builder.expiry,
            builder.leaseTimeout,
            builder.segmentSize,
            builder.allowedMediaTypes,
            builder.quota,
            builder.corsOrigins,
            access,
            builder.completion,
            builder.orphanGracePeriod,
            spool);
    this.ownsStore = builder.store == null;
    this.table = new UploadTable(builder.db, builder.schema, json);
    this.leases = new Leases(table, builder.leaseTimeout);
    this.meters = new UploadMeters(builder.meterRegistry);
    this.handler = new TusHandler(settings, builder.db, table, leases, json, meters);
  }

  /** Starts configuring uploads whose state lives in {@code db}. */
  public static UploadsBuilder builder(Db db) {
    return new UploadsBuilder(db);
  }

  /**
   * The tus server, framework neutral: mount it for the base path and everything below it ({@code
   * /uploads/} and {@code /uploads/{id}}); it answers OPTIONS, POST, HEAD, PATCH and DELETE.
   */
  public HttpHandler handler() {
    return handler;
  }

  /** What the database knows of an upload; empty for an unknown id. */
  public Optional<UploadInfo> find(UUID id) {
    return table.find(Objects.requireNonNull(id, "id")).map(row -> row.info());
  }

  /** The store the bytes live in, for the host to read finished uploads. */
  public UploadStore store() {
    return settings.store();
  }

  /**
   * Removes expired uploads (unfinished ones left alone past their expiry, and partial uploads
   * never joined), and objects in the store the database does not know that are older than the
   * grace period (a crash between a store write and its row, a failed delete). An upload a live
   * writer holds is left alone. Safe to run on several instances at once; the reference server runs
   * it as a recurring job.
   *
   * <p>An orphan's age is read from its id, a UUIDv7 with the creation time in it; objects whose
   * names are not such ids were not made by this module and are never removed.
   */
  public CleanUpReport cleanUp() {
    Instant now = settings.clock().instant();
    int expired = 0;
    while (true) {
      List<UUID> batch = table.expired(now, BATCH);
      int removed = 0;
      for (UUID id : batch) {
        if (table.deleteExpired(id, now)) {
          deleteBytes(id.toString());
          meters.expired();
          removed++;
        }
      }
      expired += removed;
      if (batch.size() < BATCH || removed == 0) {
        break;
      }
    }
    int orphans = 0;
    long cutoff = now.minus(settings.orphanGracePeriod()).toEpochMilli();
    try (Stream<String> ids = settings.store().ids()) {
      Iterator<String> iterator = ids.iterator();
      List<UUID> batch = new ArrayList<>();
      while (iterator.hasNext()) {
        String name = iterator.next();
        if (!UUID_TEXT.matcher(name).matches()) {
          continue;
        }
        UUID id = UUID.fromString(name);
        if (id.version() == 7 && (id.getMostSignificantBits() >>> 16) < cutoff) {
          batch.add(id);
        }
        if (batch.size() == BATCH || (!iterator.hasNext() && !batch.isEmpty())) {
          orphans += removeOrphans(batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        orphans += removeOrphans(batch);
      }
    } catch (IOException e) {
      throw new UploadsException("the store could not list its uploads", e);
    }
    return new CleanUpReport(expired, orphans);
  }

  private int removeOrphans(List<UUID> candidates) {
    Set<UUID> known = table.existing(candidates);
    int removed = 0;
    for (UUID id : candidates) {
      if (!known.contains(id)) {
        deleteBytes(id.toString());
        removed++;
      }
    }
    return removed;
  }

  private void deleteBytes(String id) {
    try {
      settings.store().delete(id);
    } catch (IOException e) {
      throw new UploadsException("the store could not delete upload " + id, e);
    }
  }

  /** Stops the lease heartbeat, and closes the store when this object made it. */
  @Override
  public void close() {
    leases.close();
    if (ownsStore) {
      try {
        settings.store().close();
      } catch (IOException e) {
        throw new UploadsException("the store did not close", e);
      }
    }
  }
}
