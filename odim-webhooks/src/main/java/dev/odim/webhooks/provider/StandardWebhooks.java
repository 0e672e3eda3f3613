package dev.odim.webhooks.provider;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.odim.core.OdimConfigException;
import dev.odim.webhooks.ParsedEvent;
import dev.odim.webhooks.SigningSecrets;
import dev.odim.webhooks.Verification;
import dev.odim.webhooks.WebhookDelivery;
import dev.odim.webhooks.WebhookProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Senders that follow the Standard Webhooks specification (standardwebhooks.com; Svix, Resend,
 * Clerk and others). One class serves them all, each under its own {@link Builder#name name}.
 *
 * <p>The sender signs {@code <webhook-id>.<webhook-timestamp>.<raw body>} with HMAC-SHA256 under
 * the key that the secret {@code whsec_<base64>} encodes, and sends {@code webhook-signature:
 * v1,<base64> [v1,<base64> ...]}, one signature per key it holds during a rotation; other versions
 * ({@code v1a}, asymmetric) are ignored. The id and timestamp are signed, so a captured delivery
 * cannot be replayed later than the tolerance (5 minutes by default, in either direction, as the
 * specification recommends).
 *
 * <p>Keys. The de-duplication key is {@code webhook-id}, which the specification requires to stay
 * the same across retries of one message. The type is the body's {@code type}. There is no general
 * notion of ordering across senders, so the ordering key is none unless the host names a field with
 * {@link Builder#orderingKey(String)} (a JSON pointer such as {@code /data/order_id}).
 */
public final class StandardWebhooks implements WebhookProvider {

  /** The default provider name. */
  public static final String DEFAULT_NAME = "standard-webhooks";

  public static final String ID_HEADER = "webhook-id";
  public static final String TIMESTAMP_HEADER = "webhook-timestamp";
  public static final String SIGNATURE_HEADER = "webhook-signature";

  /** The specification's recommendation. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private static final String SECRET_PREFIX = "whsec_";

  private static final int SIGNATURE_BYTES = 32;

  /** The id becomes the inbox key; real ids ({@code msg_...}) are about 30 characters. */
  private static final int MAX_ID_CHARS = 200;

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  private static final Hmac HMAC_SHA256 = new Hmac("HmacSHA256");

  private final String name;
  private final SigningSecrets secrets;

  /** Each secret's key bytes, decoded once when built; never exposed. */
  private final Map<String, byte[]> keys;

  private final Duration tolerance;
  private final @Nullable JsonPointer orderingKey;

  private StandardWebhooks(Builder b, Map<String, byte[]> keys) {
    this.name = b.name;
    this.secrets = b.secrets;
    this.keys = Map.copyOf(keys);
    this.tolerance = b.tolerance;
    this.orderingKey = b.orderingKey;
  }

  /** With the default name and tolerance and no ordering key. */
  public static StandardWebhooks withSecrets(SigningSecrets secrets) {
    return builder(secrets).build();
  }

  public static Builder builder(SigningSecrets secrets) {
    return new Builder(Objects.requireNonNull(secrets, "secrets"));
  }

  /** Settings for {@link StandardWebhooks}; {@link #build()} validates and freezes them. */
  public static final class Builder {
    private final SigningSecrets secrets;
    private String name = DEFAULT_NAME;
    private Duration tolerance = DEFAULT_TOLERANCE;
    private @Nullable JsonPointer orderingKey;

    private Builder(SigningSecrets secrets) {
      this.secrets = secrets;
    }

    /**
     * The provider name, when the host receives from more than one Standard Webhooks sender.
     *
     * @throws OdimConfigException unless 1 to 63 characters of lowercase letters, digits, '.', '_'
     *     or '-', starting with a letter or digit
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw new OdimConfigException(
            "name", "must be 1 to 63 of [a-z0-9._-], starting with [a-z0-9]; was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * How far the signed timestamp may be from now, in either direction; whole seconds.
     *
     * @throws OdimConfigException when under a second or longer than a day
     */
    public Builder tolerance(Duration tolerance) {
      Tolerance.validate(tolerance);
      this.tolerance = tolerance;
      return this;
    }

    /**
     * Takes the ordering key from the body at this JSON pointer ({@code /data/order_id}); events
     * without a scalar there have none.
     *
     * @throws OdimConfigException when not a JSON pointer
     */
    public Builder orderingKey(String jsonPointer) {
      Objects.requireNonNull(jsonPointer, "jsonPointer");
      try {
        JsonPointer pointer = JsonPointer.compile(jsonPointer);
        if (pointer.matches()) {
          throw new IllegalArgumentException("the empty pointer names the whole body");
        }
        this.orderingKey = pointer;
      } catch (IllegalArgumentException e) {
        throw new OdimConfigException(
            "orderingKey", "not a JSON pointer such as /data/order_id: '" + jsonPointer + "'");
      }
      return this;
    }

    /**
     * @throws OdimConfigException naming the {@code secrets} setting when one is not {@code whsec_}
     *     followed by base64 (the message never shows the secret)
     */
    public StandardWebhooks build() {
      Map<String, byte[]> keys = new HashMap<>();
      List<String> all = secrets.all();
      for (int i = 0; i < all.size(); i++) {
        String secret = all.get(i);
        byte[] key = decodeSecret(secret);
        if (key == null) {
          throw new OdimConfigException(
              "secrets",
              (i == 0 ? "the current secret" : "previous secret #" + i)
                  + " is not whsec_ followed by base64");
        }
        keys.put(secret, key);
      }
      return new StandardWebhooks(this, keys);
    }
  }

  /**
   * The key bytes: the base64 after {@code whsec_}; like the reference libraries, a secret without
   * the prefix is taken as base64 too.
   */
  private static byte @Nullable [] decodeSecret(String secret) {
    String encoded =
        secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
    try {
      byte[] key = Base64.getDecoder().decode(encoded);
      return key.length == 0 ? null : key;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Verification verify(WebhookDelivery delivery, Instant now) {
    String id = single(delivery, ID_HEADER);
    if (id == null) {
      return Headers.missingOrRepeated(delivery, ID_HEADER);
    }
    if (id.isBlank() || id.length() > MAX_ID_CHARS) {
      return Verification.rejected(ID_HEADER + " is blank or longer than " + MAX_ID_CHARS);
    }
    String timestamp = single(delivery, TIMESTAMP_HEADER);
    if (timestamp == null) {
      return Headers.missingOrRepeated(delivery, TIMESTAMP_HEADER);
    }
    Long seconds = Tolerance.unixSeconds(timestamp);
    if (seconds == null) {
      return Verification.rejected(TIMESTAMP_HEADER + " is not a Unix time in seconds");
    }
    String header = single(delivery, SIGNATURE_HEADER);
    if (header == null) {
      return Headers.missingOrRepeated(delivery, SIGNATURE_HEADER);
    }
    if (header.length() > Hmac.MAX_HEADER_CHARS) {
      return Verification.rejected(
          SIGNATURE_HEADER + " is longer than " + Hmac.MAX_HEADER_CHARS + " characters");
    }
    List<byte[]> signatures = new ArrayList<>();
    for (String entry : header.strip().split(" +")) {
      if (signatures.size() == Hmac.MAX_SIGNATURES) {
        break;
      }
      if (entry.startsWith("v1,")) {
        byte[] signature = base64(entry.substring(3));
        if (signature != null) {
          signatures.add(signature);
        }
      }
    }
    if (signatures.isEmpty()) {
      return Verification.rejected(SIGNATURE_HEADER + " has no well-formed v1 signature");
    }
    String outside = Tolerance.check(seconds, now, tolerance);
    if (outside != null) {
      return Verification.rejected(TIMESTAMP_HEADER + " " + outside);
    }
    byte[] signedPrefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
    boolean match = false;
    for (String secret : secrets.active(now)) {
      byte[] key = keys.get(secret);
      if (key != null) {
        match |= Hmac.matchesAny(HMAC_SHA256.sign(key, signedPrefix, delivery.body()), signatures);
      }
    }
    return match
        ? Verification.VERIFIED
        : Verification.rejected(
            SIGNATURE_HEADER + " has no v1 signature matching an active secret");
  }

  /** The header's one value without surrounding blanks, or null when missing or repeated. */
  private static @Nullable String single(WebhookDelivery delivery, String header) {
    String value = Headers.single(delivery, header);
    return value == null ? null : value.strip();
  }

  private static byte @Nullable [] base64(String value) {
    // 32 bytes are 44 base64 characters; checking first avoids decoding something huge.
    if (value.length() != 44) {
      return null;
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(value);
      return bytes.length == SIGNATURE_BYTES ? bytes : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public ParsedEvent parse(WebhookDelivery delivery) {
    byte[] body = delivery.body();
    String id = single(delivery, ID_HEADER);
    if (id == null || id.isBlank()) {
      return new ParsedEvent.Unparseable(Json.bodyKey(body), "no single " + ID_HEADER + " header");
    }
    JsonNode root;
    switch (Json.read(body)) {
      case Json.Invalid invalid -> {
        return new ParsedEvent.Unparseable(Json.bounded(name, id), invalid.reason());
      }
      case Json.Parsed parsed -> root = parsed.root();
    }
    String type = root.path("type").isTextual() ? Json.text(root, "type") : null;
    if (type == null) {
      return new ParsedEvent.Unparseable(Json.bounded(name, id), "no \"type\" string in the body");
    }
    String ordering = orderingKey == null ? null : Json.text(root.at(orderingKey));
    return new ParsedEvent.Event(type, Json.bounded(name, id), ordering, root);
  }

  @Override
  public String toString() {
    return "StandardWebhooks[name="
        + name
        + ", "
        + secrets
        + ", tolerance="
        + tolerance
        + (orderingKey == null ? "" : ", orderingKey=" + orderingKey)
        + "]";
  }
}
