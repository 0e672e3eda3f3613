package dev.odim.testkit.paystack;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What {@link PaystackSimulator#handle} answers: a status, headers (one value each) and a body, for
 * the hosting server to copy into its own response.
 */
public record SimulatorResponse(int status, Map<String, String> headers, byte[] body) {

  public SimulatorResponse {
    headers = Map.copyOf(headers);
    body = body.clone();
  }

  /** The body, a copy. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
