package dev.odim.uploads.client.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.StringJoiner;

/** The {@code Upload-Metadata} header: {@code key base64(value)} pairs separated by commas. */
public final class Metadata {
  private Metadata() {}

  /** Encodes the entries in their order; an empty value is sent as the bare key, as tus allows. */
  public static String encode(Map<String, String> metadata) {
    StringJoiner header = new StringJoiner(",");
    Base64.Encoder base64 = Base64.getEncoder();
    metadata.forEach(
        (key, value) ->
            header.add(
                value.isEmpty()
                    ? key
                    : key + " " + base64.encodeToString(value.getBytes(StandardCharsets.UTF_8))));
    return header.toString();
  }
}
