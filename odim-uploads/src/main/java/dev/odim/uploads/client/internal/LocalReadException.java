package dev.odim.uploads.client.internal;

import java.io.IOException;
import java.io.Serial;

/**
 * Reading the local file failed while sending it. Kept apart from the network's {@link
 * IOException}s because retrying cannot help: the upload ends at once.
 */
final class LocalReadException extends IOException {
  @Serial private static final long serialVersionUID = 1L;

  LocalReadException(String message, Throwable cause) {
    super(message, cause);
  }
}
