package dev.odim.uploads;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What the database knows of one upload.
 *
 * @param id the upload's id, the last segment of its URL
 * @param owner the caller id of the creator, as the {@link UploadAccess} hook named it
 * @param offset how many bytes are durably stored
 * @param length the total length, empty while the client deferred it
 * @param metadata the {@code Upload-Metadata} pairs, values decoded as UTF-8 (empty string for a
 *     key without a value)
 * @param state uploading or finished
 * @param concat single, partial or final
 * @param parts the partial uploads a final upload joins, in order; empty otherwise
 * @param mediaType the type sniffed from the first bytes on completion, or null before
 * @param createdAt when the upload was created
 * @param expiresAt when an unfinished (or partial) upload expires; null for finished uploads
 */
public record UploadInfo(
    UUID id,
    String owner,
    long offset,
    OptionalLong length,
    Map<String, String> metadata,
    UploadState state,
    UploadConcat concat,
    List<UUID> parts,
    @Nullable String mediaType,
    Instant createdAt,
    @Nullable Instant expiresAt) {

  public UploadInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(length, "length");
    metadata = Map.copyOf(metadata);
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(concat, "concat");
    parts = List.copyOf(parts);
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** Whether the client has not told the length yet (creation-defer-length). */
  public boolean lengthDeferred() {
    return length.isEmpty();
  }

  /** The metadata value the tus clients use for the file name, when given. */
  public @Nullable String filename() {
    return metadata.get("filename");
  }
}
