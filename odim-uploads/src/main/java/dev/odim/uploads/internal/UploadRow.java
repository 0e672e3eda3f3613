package dev.odim.uploads.internal;

import dev.odim.uploads.UploadConcat;
import dev.odim.uploads.UploadInfo;
import dev.odim.uploads.UploadState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One row of the upload table, with what the protocol needs beyond {@link UploadInfo}. */
public record UploadRow(
    UUID id,
    String owner,
    long offset,
    @Nullable Long length,
    Map<String, String> metadata,
    @Nullable String metadataHeader,
    UploadState state,
    UploadConcat concat,
    List<UUID> parts,
    @Nullable String mediaType,
    Instant createdAt,
    @Nullable Instant expiresAt) {

  /** This row as it stands once {@code offset} bytes are recorded. */
  public UploadRow withOffset(long offset) {
    return new UploadRow(
        id,
        owner,
        offset,
        length,
        metadata,
        metadataHeader,
        state,
        concat,
        parts,
        mediaType,
        createdAt,
        expiresAt);
  }

  /** This row once a deferred length is declared. */
  public UploadRow withLength(long length) {
    return new UploadRow(
        id,
        owner,
        offset,
        length,
        metadata,
        metadataHeader,
        state,
        concat,
        parts,
        mediaType,
        createdAt,
        expiresAt);
  }

  public UploadInfo info() {
    return new UploadInfo(
        id,
        owner,
        offset,
        length == null ? OptionalLong.empty() : OptionalLong.of(length),
        metadata,
        state,
        concat,
        parts,
        mediaType,
        createdAt,
        expiresAt);
  }

  public boolean expiredAt(Instant now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }

  public boolean complete() {
    return length != null && offset == length;
  }
}
