package dev.odim.uploads.client;

import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What to upload: a file, read in place chunk by chunk (never held in memory whole), with its
 * metadata and optionally the URL of an upload of it that an earlier run began, to resume.
 *
 * <pre>{@code
 * Upload upload = Upload.of(Path.of("talk.mp4"))
 *     .withMetadata("filename", "talk.mp4")
 *     .withMetadata("filetype", "video/mp4")
 *     .onProgress((done, total) -> bar.set(done, total));
 * }</pre>
 *
 * <p>The file must not change while it uploads: a resumed upload continues from the server's
 * offset, so bytes changed below it would not be sent again.
 *
 * @param file the file whose bytes are uploaded, all of them
 * @param metadata sent base64-encoded in {@code Upload-Metadata}; keys are non-empty ASCII without
 *     spaces or commas
 * @param resumeUrl the upload URL to continue, or null to create a new upload
 * @param parts how many partial uploads to send side by side and concatenate (the tus concatenation
 *     extension); 1 uploads the file as one upload
 * @param progress hears each acknowledged chunk
 */
public record Upload(
    Path file,
    Map<String, String> metadata,
    @Nullable URI resumeUrl,
    int parts,
    ProgressListener progress) {

  /** Checks and copies the values. */
  public Upload {
    for (Map.Entry<String, String> entry : metadata.entrySet()) {
      checkKey(entry.getKey());
    }
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    if (parts < 1) {
      throw new IllegalArgumentException("parts must be at least 1, was " + parts);
    }
    if (parts > 1 && resumeUrl != null) {
      // the part URLs of a parallel upload live only inside the call that made them
      throw new IllegalArgumentException("a parallel upload cannot resume from one URL");
    }
  }

  /** The whole of {@code file} as a new upload, without metadata, in one part. */
  public static Upload of(Path file) {
    return new Upload(file, Map.of(), null, 1, ProgressListener.NONE);
  }

  /** This upload with one more metadata entry (or another value for {@code key}). */
  public Upload withMetadata(String key, String value) {
    Map<String, String> more = new LinkedHashMap<>(metadata);
    more.put(key, value);
    return new Upload(file, more, resumeUrl, parts, progress);
  }

  /** This upload, continuing the upload at {@code url} that an earlier run began. */
  public Upload resumingAt(URI url) {
    return new Upload(file, metadata, url, parts, progress);
  }

  /**
   * This upload, sent as {@code parts} partial uploads side by side and then concatenated by the
   * server. Worth it when one connection cannot fill the link (high latency); on loopback or a LAN
   * one connection is usually enough.
   */
  public Upload inParts(int parts) {
    return new Upload(file, metadata, resumeUrl, parts, progress);
  }

  /** This upload, telling {@code listener} about each acknowledged chunk. */
  public Upload onProgress(ProgressListener listener) {
    return new Upload(file, metadata, resumeUrl, parts, listener);
  }

  private static void checkKey(String key) {
    if (key.isEmpty()) {
      throw new IllegalArgumentException("a metadata key must not be empty");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == ',') {
        throw new IllegalArgumentException(
            "metadata key '"
                + key
                + "' must be ASCII without spaces, commas or control characters");
      }
    }
  }
}
