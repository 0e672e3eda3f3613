package dev.odim.uploads.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.Problem;
import dev.odim.core.http.HttpResponse;
import java.util.Map;

/**
 * Every failure the handler answers, by stable code: the same failure always reads the same way.
 * 460 is tus's own status for a checksum mismatch.
 */
final class Problems {
  private static final Map<String, String> TITLES =
      Map.ofEntries(
          Map.entry("unsupported_version", "This server speaks tus 1.0.0."),
          Map.entry("unauthenticated", "Sign in to upload."),
          Map.entry("upload_not_found", "There is no such upload."),
          Map.entry("upload_expired", "This upload expired and was removed; start it again."),
          Map.entry("method_not_allowed", "This method is not allowed here."),
          Map.entry(
              "unsupported_media_type", "PATCH bodies must be application/offset+octet-stream."),
          Map.entry("invalid_offset", "Upload-Offset must be a non-negative integer."),
          Map.entry("invalid_length", "Upload-Length must be a non-negative integer."),
          Map.entry("invalid_metadata", "Upload-Metadata must be key and Base64 value pairs."),
          Map.entry("invalid_concat", "Upload-Concat is not a valid concatenation."),
          Map.entry(
              "invalid_checksum", "Upload-Checksum must be an algorithm and a Base64 digest."),
          Map.entry(
              "checksum_algorithm_unsupported", "Use a checksum algorithm this server announces."),
          Map.entry("checksum_mismatch", "The body does not match its checksum; send it again."),
          Map.entry("offset_mismatch", "The upload is at another offset; ask with HEAD."),
          Map.entry("upload_too_large", "The upload is larger than this server accepts."),
          Map.entry("quota_exceeded", "Your uploads would exceed your storage quota."),
          Map.entry("media_type_not_allowed", "Files of this type cannot be uploaded here."),
          Map.entry("final_upload_not_patchable", "A final upload is complete when created."),
          Map.entry("upload_locked", "Another request is writing this upload; try again."),
          Map.entry("database_unavailable", "Uploads are briefly unavailable; try again."),
          Map.entry("storage_failed", "The upload could not be stored; try again later."),
          Map.entry("completion_failed", "The upload arrived but could not be finished; retry."));

  private final ObjectMapper json;

  Problems(ObjectMapper json) {
    this.json = json;
  }

  HttpResponse answer(int status, String code, String detail) {
    String title = TITLES.get(code);
    if (title == null) {
      throw new IllegalArgumentException("no title for problem code " + code);
    }
    Problem problem = Problem.of(status, code, title, detail);
    try {
      return HttpResponse.of(
          status, "application/problem+json", json.writeValueAsBytes(problem.toMap()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a problem map is always serializable", e);
    }
  }
}
