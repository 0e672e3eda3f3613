package dev.odim.server.internal.content;

import dev.odim.uploads.UploadInfo;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/** The {@code contents} table: what creators' finished uploads became. */
final class Contents {
  /** The longest file name kept, in characters; the column's check allows no more. */
  static final int MAX_FILENAME = 255;

  private final Clock clock;

  Contents(Clock clock) {
    this.clock = clock;
  }

  /** A content record as its creator sees it. */
  record Content(
      UUID id, @Nullable String filename, String mediaType, long size, Instant createdAt) {}

  /**
   * Records {@code upload} as a content of its owner, in the transaction that finishes the upload.
   * The hook may run again when that transaction is retried, so a second run changes nothing.
   */
  void record(Handle handle, UploadInfo upload) {
    handle
        .createUpdate(
            "INSERT INTO odim_server.contents"
                + " (id, creator_id, filename, media_type, size_bytes, created_at)"
                + " VALUES (:id, :creator, :filename, :mediaType, :size, :createdAt)"
                + " ON CONFLICT (id) DO NOTHING")
        .bind("id", upload.id())
        .bind("creator", UUID.fromString(upload.owner()))
        .bind("filename", filename(upload.filename()))
        .bind("mediaType", mediaType(upload))
        .bind("size", upload.length().orElse(upload.offset()))
        .bind("createdAt", clock.instant())
        .execute();
  }

  /** The creator's contents newest first, after the cursor position when there is one. */
  List<Content> page(
      Handle handle, UUID creator, @Nullable Instant afterTime, @Nullable UUID afterId, int limit) {
    return handle
        .createQuery(
            "SELECT id, filename, media_type, size_bytes, created_at FROM odim_server.contents"
                + " WHERE creator_id = :creator"
                + (afterTime == null ? "" : " AND (created_at, id) < (:afterTime, :afterId)")
                + " ORDER BY created_at DESC, id DESC LIMIT :limit")
        .bind("creator", creator)
        .bind("afterTime", afterTime)
        .bind("afterId", afterId)
        .bind("limit", limit)
        .map(
            (rs, ctx) ->
                new Content(
                    rs.getObject("id", UUID.class),
                    rs.getString("filename"),
                    rs.getString("media_type"),
                    rs.getLong("size_bytes"),
                    rs.getTimestamp("created_at").toInstant()))
        .list();
  }

  /**
   * The type the handler sniffed from the bytes (it refused anything outside the allowed types);
   * the client's own claim only if nothing was sniffed.
   */
  private static String mediaType(UploadInfo upload) {
    String sniffed = upload.mediaType();
    String type = sniffed != null ? sniffed : upload.metadata().get("filetype");
    if (type == null) {
      throw new IllegalStateException("upload " + upload.id() + " finished without a media type");
    }
    return type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
  }

  /**
   * The client's file name without control characters, cut to {@link #MAX_FILENAME}; null when none
   * is left. It is only shown back, never used as a path.
   */
  private static @Nullable String filename(@Nullable String name) {
    if (name == null) {
      return null;
    }
    StringBuilder kept = new StringBuilder();
    name.codePoints()
        .filter(c -> !Character.isISOControl(c))
        .limit(MAX_FILENAME)
        .forEach(kept::appendCodePoint);
    String result = kept.toString().strip();
    return result.isEmpty() ? null : result;
  }
}
