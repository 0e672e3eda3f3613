package dev.odim.uploads.client;

import dev.odim.core.OdimException;
import java.io.Serial;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * The tus client could not finish: the server kept failing after every retry, it broke the
 * protocol, or the local file could not be read. Answers a retry cannot change (the upload is gone,
 * the server refused it) are not exceptions but {@link UploadResult} values.
 *
 * <p>When the upload had been created, {@link #uploadUrl()} says where: pass it to {@link
 * Upload#resumingAt} later to continue from what the server holds instead of starting again.
 */
public class TusClientException extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  private final transient @Nullable URI uploadUrl;
  private final int status;
  private final @Nullable String code;

  public TusClientException(
      String message,
      @Nullable URI uploadUrl,
      int status,
      @Nullable String code,
      @Nullable Throwable cause) {
    super(message, cause);
    this.uploadUrl = uploadUrl;
    this.status = status;
    this.code = code;
  }

  /** The upload's URL, or null when the failure came before the server created it. */
  public @Nullable URI uploadUrl() {
    return uploadUrl;
  }

  /** The HTTP status of the last answer, or 0 when the last attempt got none (connection error). */
  public int status() {
    return status;
  }

  /**
   * The stable {@code code} of the server's {@code application/problem+json} answer, or null when
   * it gave none.
   */
  public @Nullable String code() {
    return code;
  }
}
