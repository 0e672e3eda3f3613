package dev.odim.uploads.internal;

import dev.odim.uploads.UploadAccess;
import dev.odim.uploads.UploadCompletion;
import dev.odim.uploads.UploadQuota;
import dev.odim.uploads.store.UploadStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The validated, frozen settings of one {@code Uploads}, as its parts need them. */
public record Settings(
    String schema,
    Clock clock,
    UploadStore store,
    String basePath,
    long maxSize,
    Duration expiry,
    Duration leaseTimeout,
    long segmentSize,
    List<String> allowedMediaTypes,
    UploadQuota quota,
    List<String> corsOrigins,
    UploadAccess access,
    UploadCompletion completion,
    Duration orphanGracePeriod,
    Path spoolDirectory) {

  public Settings {
    allowedMediaTypes = List.copyOf(allowedMediaTypes);
    corsOrigins = List.copyOf(corsOrigins);
  }
}
