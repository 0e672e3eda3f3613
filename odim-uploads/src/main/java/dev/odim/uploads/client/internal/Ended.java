package dev.odim.uploads.client.internal;

import java.io.Serial;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * An upload call ends early with an expected outcome (cancelled, gone, rejected): thrown from deep
 * inside the transfer loop and turned into an {@link dev.odim.uploads.client.UploadResult} at the
 * top, where the byte and retry counts are known. Never escapes the package.
 */
final class Ended extends Exception {
  @Serial private static final long serialVersionUID = 1L;

  enum Kind {
    CANCELLED,
    GONE,
    REJECTED
  }

  final Kind kind;
  final transient @Nullable URI url;
  final int status;
  final @Nullable String code;
  final String detail;

  private Ended(Kind kind, @Nullable URI url, int status, @Nullable String code, String detail) {
    super(kind + " " + status + " " + detail, null, false, false);
    this.kind = kind;
    this.url = url;
    this.status = status;
    this.code = code;
    this.detail = detail;
  }

  static Ended cancelled() {
    return new Ended(Kind.CANCELLED, null, 0, null, "cancelled");
  }

  static Ended gone(URI url, int status) {
    return new Ended(Kind.GONE, url, status, null, "gone");
  }

  static Ended rejected(@Nullable URI url, int status, @Nullable String code, String detail) {
    return new Ended(Kind.REJECTED, url, status, code, detail);
  }
}
