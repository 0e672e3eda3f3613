package dev.odim.uploads;

/**
 * How many bytes one owner may hold in uploads (unfinished and finished, as this module's table
 * counts them). Checked when an upload's length becomes known: a creation that would go over gets
 * 413 {@code quota_exceeded}.
 */
@FunctionalInterface
public interface UploadQuota {

  /** The most bytes {@code owner}'s uploads may add up to. */
  long maxBytes(String owner);

  /** No limit beyond the maximum size of one upload. */
  static UploadQuota unlimited() {
    return owner -> Long.MAX_VALUE;
  }

  /** The same limit for every owner. */
  static UploadQuota fixed(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("a quota must not be negative, was " + maxBytes);
    }
    return owner -> maxBytes;
  }
}
