package dev.odim.webhooks.provider;

import dev.odim.webhooks.ParsedEvent;
import dev.odim.webhooks.WebhookDelivery;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Builds deliveries and signs them, for tests. */
final class Deliveries {
  private Deliveries() {}

  static final String REMOTE = "52.31.139.75";

  /** A delivery with these header name/value pairs (a name may repeat). */
  static WebhookDelivery delivery(String body, String... headerPairs) {
    return delivery(body.getBytes(StandardCharsets.UTF_8), headerPairs);
  }

  static WebhookDelivery delivery(byte[] body, String... headerPairs) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 0; i < headerPairs.length; i += 2) {
      headers.computeIfAbsent(headerPairs[i], k -> new ArrayList<>()).add(headerPairs[i + 1]);
    }
    headers.put("content-type", List.of("application/json"));
    return new WebhookDelivery(headers, body, REMOTE);
  }

  static byte[] hmac(String algorithm, byte[] key, String message) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key, algorithm));
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static String hmacHex(String algorithm, String key, String message) {
    return HexFormat.of().formatHex(hmac(algorithm, key.getBytes(StandardCharsets.UTF_8), message));
  }

  static String sha256Key(String body) {
    try {
      return "sha256:"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256")
                      .digest(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static ParsedEvent.Event event(ParsedEvent parsed) {
    if (parsed instanceof ParsedEvent.Event event) {
      return event;
    }
    throw new AssertionError("expected an event, got " + parsed);
  }

  static ParsedEvent.Unparseable unparseable(ParsedEvent parsed) {
    if (parsed instanceof ParsedEvent.Unparseable unparseable) {
      return unparseable;
    }
    throw new AssertionError("expected unparseable, got " + parsed);
  }
}
