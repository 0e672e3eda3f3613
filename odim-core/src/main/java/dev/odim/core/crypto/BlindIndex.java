package dev.odim.core.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A keyed hash of a field that is looked up by value (an email at sign-in), stored next to the
 * field's ciphertext so that the row can be found without the value being stored in clear: {@code
 * HMAC-SHA256(subKey, normalise(value))}, 32 bytes for a {@code bytea} column with an index.
 *
 * <p>Equal values have equal indexes, which is what makes lookup work and is also all that the
 * index reveals: without the key it cannot be reversed or checked against a guess. The normaliser
 * decides what counts as equal ({@link #EMAIL}: {@code " Ada@Example.com"} is {@code
 * "ada@example.com"}).
 *
 * <p>Each key of the ring yields its own index, so after a rotation a row written before it has the
 * old key's index until {@link Reencryption} rewrites it. Look a value up by all of them:
 *
 * <pre>{@code
 * BlindIndex emails = BlindIndex.of(keyRing, "users.email", BlindIndex.EMAIL);
 * handle.createQuery("SELECT id FROM users WHERE email_index IN (<candidates>)")
 *     .bindList("candidates", emails.candidates(email))   // the active key's first
 *     ...
 * // and store emails.current(email) when writing a row
 * }</pre>
 *
 * <p>Thread-safe: each call takes its own {@link Mac}.
 */
public final class BlindIndex {

  /** What makes two spellings of a value the same value for lookup. */
  @FunctionalInterface
  public interface Normaliser {
    String normalise(String value);
  }

  /**
   * Emails: surrounding white space removed, lower-cased (the local part is case-sensitive in
   * theory and never in practice), Unicode NFC so that a composed and a decomposed {@code é} match.
   */
  public static final Normaliser EMAIL =
      value -> Normalizer.normalize(value.strip().toLowerCase(Locale.ROOT), Normalizer.Form.NFC);

  /** Values that must match exactly, up to Unicode NFC. */
  public static final Normaliser EXACT = value -> Normalizer.normalize(value, Normalizer.Form.NFC);

  private static final String HMAC = "HmacSHA256";
  private static final String INFO = "odim blind index v1";

  private final String name;
  private final Normaliser normaliser;
  private final String activeId;
  private final Map<String, SecretKeySpec> subKeys;

  private BlindIndex(KeyRing keyRing, String name, Normaliser normaliser) {
    this.name = name;
    this.normaliser = normaliser;
    this.activeId = keyRing.activeId();
    Map<String, SecretKeySpec> derived = new LinkedHashMap<>();
    for (EncryptionKey key : keyRing.keys()) {
      derived.put(key.id(), new SecretKeySpec(subKey(key, name), HMAC));
    }
    this.subKeys = derived;
  }

  /**
   * The index of one field.
   *
   * @param name the field, such as {@code "users.email"}; part of the sub-key, so that equal values
   *     in two fields have unrelated indexes and cannot be matched across them
   * @param normaliser what counts as the same value, such as {@link #EMAIL}
   */
  public static BlindIndex of(KeyRing keyRing, String name, Normaliser normaliser) {
    Objects.requireNonNull(keyRing, "keyRing");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(normaliser, "normaliser");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a blind index needs a name, such as \"users.email\"");
    }
    return new BlindIndex(keyRing, name, normaliser);
  }

  /** The field this index is for. */
  public String name() {
    return name;
  }

  /** The index of {@code value} under the active key: what a write stores. */
  public byte[] current(String value) {
    return hmac(subKeys.get(activeId), normaliser.normalise(value));
  }

  /**
   * The index of {@code value} under every key of the ring, the active key's first: what a lookup
   * matches against while rows written before a rotation still carry an older key's index.
   */
  public List<byte[]> candidates(String value) {
    String normalised = normaliser.normalise(value);
    List<byte[]> all = new ArrayList<>(subKeys.size());
    for (SecretKeySpec key : subKeys.values()) {
      all.add(hmac(key, normalised));
    }
    return List.copyOf(all);
  }

  /**
   * The key for this field's index under {@code key}: HKDF-SHA256 (RFC 5869) with no salt and the
   * info {@code "odim blind index v1"}, a zero byte and the field's name. Deriving it, instead of
   * using the encryption key itself, keeps the two uses apart: no index is ever an HMAC under the
   * AES key, and a future use of the key derives its own sub-key with another info. Written out
   * here, a few lines over {@link Mac}, because the JDK's own HKDF ({@code javax.crypto.KDF})
   * arrived in Java 25 and Odim runs on 21.
   */
  private static byte[] subKey(EncryptionKey key, String name) {
    return hkdfSha256(key.key(), (INFO + "\0" + name).getBytes(StandardCharsets.UTF_8));
  }

  /** The first 32 bytes of HKDF-SHA256(salt = none, ikm, info), RFC 5869 section 2. */
  static byte[] hkdfSha256(byte[] ikm, byte[] info) {
    // Extract: PRK = HMAC(salt, IKM); an absent salt is HashLen zero bytes.
    byte[] prk = hmac(new SecretKeySpec(new byte[32], HMAC), ikm);
    // Expand to one block, which is all 32 bytes need: T(1) = HMAC(PRK, info | 0x01).
    byte[] block = new byte[info.length + 1];
    System.arraycopy(info, 0, block, 0, info.length);
    block[info.length] = 1;
    return hmac(new SecretKeySpec(prk, HMAC), block);
  }

  private static byte[] hmac(SecretKeySpec key, String value) {
    return hmac(key, value.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmac(SecretKeySpec key, byte[] data) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      // HmacSHA256 is required of every Java platform; this is a broken JDK, not bad input.
      throw new IllegalStateException("HmacSHA256 is not available: " + e, e);
    }
  }

  @Override
  public String toString() {
    return "BlindIndex[" + name + "]";
  }
}
