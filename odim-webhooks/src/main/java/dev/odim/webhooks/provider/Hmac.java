package dev.odim.webhooks.provider;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One HMAC algorithm, with a pool of {@link Mac}s: a {@code Mac} is not thread-safe, and looking
 * one up per delivery ({@code Mac.getInstance}: provider search, reflection) costs more than the
 * HMAC of a small body. A pool rather than a thread-local because hosts serve requests on virtual
 * threads, one new thread per request, where a thread-local would look one up every time; the pool
 * holds at most as many as were ever in use at once.
 */
final class Hmac {

  /**
   * Longer signature headers are refused before any parsing: real ones are under 200 characters
   * (Stripe with a few v1 values, Standard Webhooks with a few rotated keys), and the bound keeps a
   * hostile header from costing more than a few HMACs.
   */
  static final int MAX_HEADER_CHARS = 4096;

  /** At most this many candidate signatures are tried per delivery; see MAX_HEADER_CHARS. */
  static final int MAX_SIGNATURES = 16;

  private final String algorithm;
  private final ConcurrentLinkedQueue<Mac> idle = new ConcurrentLinkedQueue<>();

  Hmac(String algorithm) {
    this.algorithm = algorithm;
    idle.add(newMac(algorithm)); // fail when the provider is built, not on the first delivery
  }

  private static Mac newMac(String algorithm) {
    try {
      return Mac.getInstance(algorithm);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is not available in this JDK", e);
    }
  }

  /** The HMAC of the concatenation of {@code parts}, without copying them into one array. */
  byte[] sign(byte[] key, byte[]... parts) {
    Mac pooled = idle.poll();
    Mac mac = pooled != null ? pooled : newMac(algorithm);
    try {
      mac.init(new SecretKeySpec(key, algorithm));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot key " + algorithm, e);
    }
    for (byte[] part : parts) {
      mac.update(part);
    }
    byte[] signature = mac.doFinal(); // also resets it, keyed, for the next user
    idle.add(mac);
    return signature;
  }

  /**
   * Whether any candidate equals {@code expected}, compared in time that does not depend on where
   * they first differ (MessageDigest.isEqual), so that response timing cannot be used to guess a
   * valid signature byte by byte. Every signature comparison of the built-in providers goes through
   * here.
   */
  static boolean matchesAny(byte[] expected, List<byte[]> candidates) {
    boolean match = false;
    for (byte[] candidate : candidates) {
      match |= MessageDigest.isEqual(expected, candidate);
    }
    return match;
  }
}
