package dev.odim.uploads;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.uploads.store.FileSystemStore;
import dev.odim.uploads.store.UploadStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Settings of {@link Uploads}; {@link #build()} validates every one, applies the migrations and
 * freezes them. Only a store (or a directory) and an access hook are required.
 */
public final class UploadsBuilder {
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,53}");
  private static final Pattern MEDIA_RANGE =
      Pattern.compile("(\\*/\\*|[a-z0-9][a-z0-9!#$&^_.+-]*/(\\*|[a-z0-9][a-z0-9!#$&^_.+-]*))");
  private static final Pattern ORIGIN = Pattern.compile("\\*|https?://[^/\\s]+");

  final Db db;
  String schema = "odim_uploads";
  Clock clock = Clock.systemUTC();
  @Nullable UploadStore store;
  @Nullable Path directory;
  String basePath = "/uploads/";
  long maxSize = 2L << 30;
  Duration expiry = Duration.ofHours(24);
  Duration leaseTimeout = Duration.ofSeconds(5);
  long segmentSize = 16L << 20;
  List<String> allowedMediaTypes = List.of();
  UploadQuota quota = UploadQuota.unlimited();
  List<String> corsOrigins = List.of();
  @Nullable UploadAccess access;
  UploadCompletion completion = UploadCompletion.none();
  Duration orphanGracePeriod = Duration.ofHours(1);
  @Nullable Path spoolDirectory;
  MeterRegistry meterRegistry = new CompositeMeterRegistry();
  boolean migrate = true;

  UploadsBuilder(Db db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /** The PostgreSQL schema of the upload table; default {@code odim_uploads}. */
  public UploadsBuilder schema(String schema) {
    this.schema = Objects.requireNonNull(schema, "schema");
    return this;
  }

  /** The clock for creation times and expiry; default the system clock in UTC. */
  public UploadsBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Where the bytes go. Every instance that serves the same uploads must see the same store. The
   * host closes a store it passes in.
   */
  public UploadsBuilder store(UploadStore store) {
    this.store = Objects.requireNonNull(store, "store");
    return this;
  }

  /**
   * Stores the bytes in a {@link FileSystemStore} in {@code directory} (created if missing); the
   * reference server uses {@code ODIM_DATA/uploads}. Ignored when {@link #store} is set.
   */
  public UploadsBuilder directory(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
    return this;
  }

  /**
   * The path the upload collection answers at, with a trailing slash; default {@code /uploads/}.
   * The handler matches it at the end of the request path, so a context path before it is fine, and
   * builds {@code Location} from the request's own path.
   */
  public UploadsBuilder basePath(String basePath) {
    this.basePath = Objects.requireNonNull(basePath, "basePath");
    return this;
  }

  /**
   * The largest upload, 1 byte to 1 TiB; default 2 GiB. Announced as {@code Tus-Max-Size}; a larger
   * {@code Upload-Length} (or body, for a deferred length) gets 413.
   */
  public UploadsBuilder maxSize(long maxSize) {
    this.maxSize = maxSize;
    return this;
  }

  /**
   * How long an unfinished upload lives after its last write, 1 minute to 30 days; default 24
   * hours. Sent as {@code Upload-Expires}; an expired upload answers 410 and is removed.
   */
  public UploadsBuilder expiry(Duration expiry) {
    this.expiry = Objects.requireNonNull(expiry, "expiry");
    return this;
  }

  /**
   * How long a writer's lease outlives its last heartbeat, 200 ms to 60 s; default 5 s. The
   * heartbeat runs five times per timeout, so a live holder that is asked to let go does so within
   * a fifth of it, and a dead holder's lease is taken over after at most the whole of it.
   */
  public UploadsBuilder leaseTimeout(Duration leaseTimeout) {
    this.leaseTimeout = Objects.requireNonNull(leaseTimeout, "leaseTimeout");
    return this;
  }

  /**
   * How many bytes of a PATCH body arrive between two recorded offsets, 64 KiB to 1 GiB; default 16
   * MiB. Each segment costs one fsync and one UPDATE, which the filesystem store overlaps with
   * receiving the next; it bounds what a crash of this process can lose of an upload in flight (the
   * filesystem store runs at most two segments ahead of what is durable).
   */
  public UploadsBuilder segmentSize(long segmentSize) {
    this.segmentSize = segmentSize;
    return this;
  }

  /**
   * Media types that may be uploaded, as {@code type/subtype} or {@code type/*}; empty (the
   * default) allows any. Checked against the {@code filetype} metadata at creation and against the
   * type sniffed from the first bytes on completion; a refused upload is removed.
   */
  public UploadsBuilder allowedMediaTypes(List<String> mediaTypes) {
    List<String> lower = new ArrayList<>();
    for (String type : mediaTypes) {
      lower.add(Objects.requireNonNull(type, "mediaType").trim().toLowerCase(Locale.ROOT));
    }
    this.allowedMediaTypes = List.copyOf(lower);
    return this;
  }

  /** How many bytes one owner may hold in uploads; default unlimited. */
  public UploadsBuilder quota(UploadQuota quota) {
    this.quota = Objects.requireNonNull(quota, "quota");
    return this;
  }

  /**
   * Origins (such as {@code https://app.example.com}) whose browser pages may call the handler, or
   * {@code *} for any; default none. Allowed origins get CORS headers, credentials included, and
   * every tus header exposed.
   */
  public UploadsBuilder corsOrigins(List<String> origins) {
    this.corsOrigins = List.copyOf(origins);
    return this;
  }

  /** Identifies the caller of each request (required): see {@link UploadAccess}. */
  public UploadsBuilder access(UploadAccess access) {
    this.access = Objects.requireNonNull(access, "access");
    return this;
  }

  /** Called in the transaction that finishes an upload; default none. */
  public UploadsBuilder onCompletion(UploadCompletion completion) {
    this.completion = Objects.requireNonNull(completion, "completion");
    return this;
  }

  /**
   * How old a stored object with no database row must be before {@link Uploads#cleanUp()} removes
   * it, at least 1 minute; default 1 hour. It covers the moment between a creation's row and its
   * object, and stores shared with another schema's uploads must not be cleaned at all.
   */
  public UploadsBuilder orphanGracePeriod(Duration gracePeriod) {
    this.orphanGracePeriod = Objects.requireNonNull(gracePeriod, "gracePeriod");
    return this;
  }

  /**
   * Where a PATCH with {@code Upload-Checksum} is spooled while it is verified; default the
   * system's temporary directory. Needs room for one request body per concurrent checksummed PATCH.
   */
  public UploadsBuilder spoolDirectory(Path spoolDirectory) {
    this.spoolDirectory = Objects.requireNonNull(spoolDirectory, "spoolDirectory");
    return this;
  }

  /** Where {@code odim_uploads_total{outcome}} goes; default nowhere. */
  public UploadsBuilder meterRegistry(MeterRegistry meterRegistry) {
    this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
    return this;
  }

  /** Whether {@link #build()} applies the migrations; default true. */
  public UploadsBuilder migrate(boolean migrate) {
    this.migrate = migrate;
    return this;
  }

  /**
   * Validates the settings, applies the migrations and starts the lease heartbeat.
   *
   * @throws OdimConfigException naming the first invalid setting
   */
  public Uploads build() {
    if (!SCHEMA.matcher(schema).matches()) {
      throw new OdimConfigException(
          "schema", "must be a lowercase SQL identifier of at most 54 characters, was " + schema);
    }
    if (access == null) {
      throw new OdimConfigException("access", "say who the caller is: access(request -> ...)");
    }
    if (store == null && directory == null) {
      throw new OdimConfigException(
          "store", "set a store, or a directory for the filesystem store");
    }
    if (!basePath.startsWith("/") || !basePath.endsWith("/") || basePath.contains("//")) {
      throw new OdimConfigException(
          "basePath", "must start and end with '/', like /uploads/, was " + basePath);
    }
    if (maxSize < 1 || maxSize > (1L << 40)) {
      throw new OdimConfigException("maxSize", "must be 1 byte to 1 TiB, was " + maxSize);
    }
    if (expiry.compareTo(Duration.ofMinutes(1)) < 0 || expiry.compareTo(Duration.ofDays(30)) > 0) {
      throw new OdimConfigException("expiry", "must be 1 minute to 30 days, was " + expiry);
    }
    if (leaseTimeout.compareTo(Duration.ofMillis(200)) < 0
        || leaseTimeout.compareTo(Duration.ofSeconds(60)) > 0) {
      throw new OdimConfigException("leaseTimeout", "must be 200 ms to 60 s, was " + leaseTimeout);
    }
    if (segmentSize < (64 << 10) || segmentSize > (1L << 30)) {
      throw new OdimConfigException("segmentSize", "must be 64 KiB to 1 GiB, was " + segmentSize);
    }
    for (String type : allowedMediaTypes) {
      if (!MEDIA_RANGE.matcher(type).matches()) {
        throw new OdimConfigException(
            "allowedMediaTypes", "\"" + type + "\" is not a type/subtype or type/*");
      }
    }
    for (String origin : corsOrigins) {
      if (!ORIGIN.matcher(origin).matches()) {
        throw new OdimConfigException(
            "corsOrigins", "\"" + origin + "\" is not *, nor a scheme://host[:port] origin");
      }
    }
    if (orphanGracePeriod.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new OdimConfigException(
          "orphanGracePeriod", "must be at least 1 minute, was " + orphanGracePeriod);
    }
    UploadStore chosen = store;
    if (chosen == null) {
      try {
        chosen = FileSystemStore.in(Objects.requireNonNull(directory));
      } catch (IOException e) {
        throw new OdimConfigException(
            "directory", "cannot create " + directory + ": " + e.getMessage());
      }
    }
    if (migrate) {
      db.migrate(schema, "db/migration/odim_uploads");
    }
    return new Uploads(this, chosen, access);
  }
}
