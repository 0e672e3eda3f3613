package dev.odim.uploads.client;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jspecify.annotations.Nullable;

/**
 * The digest sent with each chunk in {@code Upload-Checksum} (the tus checksum extension), so the
 * server rejects a chunk corrupted on the way instead of storing it. The client reads each chunk
 * twice (once to hash it, because the header precedes the body), so it costs CPU: leave it {@link
 * #NONE} on links that TLS already protects unless the server requires it.
 */
public enum ChecksumAlgorithm {
  /** No {@code Upload-Checksum} header. */
  NONE(null, null),
  MD5("md5", "MD5"),
  SHA1("sha1", "SHA-1"),
  SHA256("sha256", "SHA-256");

  private final @Nullable String tusName;
  private final @Nullable String jcaName;

  ChecksumAlgorithm(@Nullable String tusName, @Nullable String jcaName) {
    this.tusName = tusName;
    this.jcaName = jcaName;
  }

  /** The name in {@code Upload-Checksum} and {@code Tus-Checksum-Algorithm}, e.g. {@code sha1}. */
  public @Nullable String tusName() {
    return tusName;
  }

  /** A fresh digest, or null for {@link #NONE}. */
  public @Nullable MessageDigest newDigest() {
    if (jcaName == null) {
      return null;
    }
    try {
      return MessageDigest.getInstance(jcaName);
    } catch (NoSuchAlgorithmException e) {
      // every Java SE platform must provide MD5, SHA-1 and SHA-256
      throw new IllegalStateException("the JDK lacks " + jcaName, e);
    }
  }
}
