package dev.odim.uploads.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An {@code Upload-Checksum} value: an algorithm name and the Base64 digest of the request body.
 *
 * @param algorithm the tus name ({@code sha1}, {@code sha256}, {@code md5})
 * @param expected the digest the client computed
 */
public record Checksum(String algorithm, byte[] expected) {
  /** tus names to JDK names; the order is the one announced in {@code Tus-Checksum-Algorithm}. */
  private static final Map<String, String> ALGORITHMS =
      Map.of("sha1", "SHA-1", "sha256", "SHA-256", "md5", "MD5");

  public static final List<String> NAMES = List.of("sha1", "sha256", "md5");

  /** Why a header could not be used. */
  public enum Refusal {
    MALFORMED,
    UNSUPPORTED
  }

  /** The parsed value, or why not. */
  public sealed interface Parsed {
    record Ok(Checksum checksum) implements Parsed {}

    record Refused(Refusal refusal) implements Parsed {}
  }

  public static Parsed parse(String header) {
    String[] parts = header.trim().split(" ", -1);
    if (parts.length != 2) {
      return new Parsed.Refused(Refusal.MALFORMED);
    }
    String algorithm = parts[0].toLowerCase(Locale.ROOT);
    if (!ALGORITHMS.containsKey(algorithm)) {
      return new Parsed.Refused(Refusal.UNSUPPORTED);
    }
    try {
      byte[] digest = Base64.getDecoder().decode(parts[1]);
      if (digest.length != digest(algorithm).getDigestLength()) {
        return new Parsed.Refused(Refusal.MALFORMED);
      }
      return new Parsed.Ok(new Checksum(algorithm, digest));
    } catch (IllegalArgumentException e) {
      return new Parsed.Refused(Refusal.MALFORMED);
    }
  }

  public MessageDigest newDigest() {
    return digest(algorithm);
  }

  public boolean matches(byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }

  static MessageDigest digestNamed(String algorithm) {
    return digest(algorithm);
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(ALGORITHMS.get(algorithm));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has " + algorithm, e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Checksum that
        && algorithm.equals(that.algorithm)
        && java.util.Arrays.equals(expected, that.expected);
  }

  @Override
  public int hashCode() {
    return 31 * algorithm.hashCode() + java.util.Arrays.hashCode(expected);
  }

  @Override
  public String toString() {
    return "Checksum[" + algorithm + "]";
  }
}
