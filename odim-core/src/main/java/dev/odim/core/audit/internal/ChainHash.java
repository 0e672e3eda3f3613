package dev.odim.core.audit.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The hash of one chain row: {@code SHA-256(prev_hash || encoding)}, where the encoding is a
 * version byte, then seq and the time in microseconds since the epoch as big-endian longs, then
 * each text field as its UTF-8 length (a big-endian int, -1 for null) and bytes, then the number of
 * details and each key and value in key order. Length prefixes make the encoding unambiguous: no
 * two different rows encode to the same bytes, whatever their text holds.
 *
 * <p>The writer and the verifier both call {@link #of}, so the rule lives in one place. Changing it
 * orphans every stored hash: bump {@link #VERSION} and teach verification the old one instead.
 */
final class ChainHash {
  static final int LENGTH = 32;
  static final byte[] GENESIS = new byte[LENGTH];
  private static final byte VERSION = 1;

  private ChainHash() {}

  static byte[] of(
      byte[] prevHash,
      long seq,
      Instant occurredAt,
      String action,
      @Nullable String actor,
      @Nullable String actorIp,
      @Nullable String requestId,
      @Nullable String target,
      String outcome,
      String summary,
      Map<String, @Nullable String> details) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeLong(seq);
      out.writeLong(micros(occurredAt));
      text(out, action);
      text(out, actor);
      text(out, actorIp);
      text(out, requestId);
      text(out, target);
      text(out, outcome);
      text(out, summary);
      out.writeInt(details.size());
      for (Map.Entry<String, @Nullable String> detail : new TreeMap<>(details).entrySet()) {
        text(out, detail.getKey());
        text(out, detail.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    MessageDigest sha256 = sha256();
    sha256.update(prevHash);
    return sha256.digest(bytes.toByteArray());
  }

  static long micros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
  }

  private static void text(DataOutputStream out, @Nullable String value) throws IOException {
    if (value == null) {
      out.writeInt(-1);
      return;
    }
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
