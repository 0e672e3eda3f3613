package dev.odim.uploads;

import dev.odim.core.http.HttpRequest;
import java.util.Optional;

/**
 * Identifies the caller of a tus request, so uploads belong to whoever created them. The host reads
 * its session cookie or token here; an empty answer is a 401. A caller that is not an upload's
 * owner gets 404, as for an upload that does not exist, so ids cannot be probed.
 */
@FunctionalInterface
public interface UploadAccess {

  /** The caller's stable id, or empty when the request is not authenticated. */
  Optional<String> caller(HttpRequest request);

  /** Everybody is the same caller, {@code anonymous}: for tests and single-user tools only. */
  static UploadAccess anonymous() {
    return request -> Optional.of("anonymous");
  }
}
