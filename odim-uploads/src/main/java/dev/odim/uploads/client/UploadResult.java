package dev.odim.uploads.client;

import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * How an upload ended, short of a failure that retries could not overcome (that is a {@link
 * TusClientException}).
 */
public sealed interface UploadResult {

  /** The upload's URL, or null when it ended before the server created one. */
  @Nullable URI url();

  /**
   * Bytes of the file put on the wire in every request of this call, re-sent ones included: a break
   * in the middle of a chunk makes it exceed what was needed.
   */
  long bytesSent();

  /** Requests retried during this call. */
  int retries();

  /**
   * The server holds every byte.
   *
   * @param url the upload's URL (for a parallel upload, the final upload's)
   * @param length the file's length
   * @param startOffset the server's offset where this call began sending (0 for a new upload); read
   *     again until the first chunk is acknowledged, since an offset read right after a break can
   *     be stale
   * @param bytesSent see {@link UploadResult#bytesSent()}
   * @param retries see {@link UploadResult#retries()}
   */
  record Completed(URI url, long length, long startOffset, long bytesSent, int retries)
      implements UploadResult {

    /** Bytes sent more than once: the cost of the breaks this call survived. */
    public long bytesResent() {
      return Math.max(0, bytesSent - (length - startOffset));
    }
  }

  /**
   * The caller cancelled. The upload stays resumable at {@code url} from {@code offset}, unless it
   * was {@code terminated}.
   *
   * @param url the upload's URL, or null when cancelled before it was created
   * @param offset bytes the server had acknowledged
   * @param terminated whether the server deleted the upload (tus termination) on request
   */
  record Cancelled(@Nullable URI url, long offset, boolean terminated, long bytesSent, int retries)
      implements UploadResult {}

  /**
   * The upload no longer exists on the server ({@code 404} or {@code 410}): it expired or was
   * terminated. Create a new one.
   */
  record Gone(URI url, int status, long bytesSent, int retries) implements UploadResult {}

  /**
   * The server refused the upload with an answer a retry cannot change: too large ({@code 413}),
   * not allowed ({@code 401}/{@code 403}), bad metadata ({@code 400}), an unsupported protocol
   * version ({@code 412}) and the like.
   *
   * @param url the upload's URL, or null when creating it was refused
   * @param status the HTTP status
   * @param code the problem's stable {@code code} when the server answered {@code
   *     application/problem+json}, else null
   * @param detail what the server said, or the status line
   */
  record Rejected(
      @Nullable URI url,
      int status,
      @Nullable String code,
      String detail,
      long bytesSent,
      int retries)
      implements UploadResult {}
}
