package dev.odim.core.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One 256-bit AES key and the id stored next to every value it encrypts, so that the right key is
 * found for decryption after newer keys were added. A {@link KeyRing} holds several.
 *
 * @param id 1 to 16 of {@code [A-Za-z0-9_-]}: it is written into every ciphertext, so it is short,
 *     and it has no {@code .} because that separates a ciphertext's parts
 * @param key the 32 key bytes; copied in and out, never printed
 */
public record EncryptionKey(String id, byte[] key) {

  /** The bytes of an AES-256 key. */
  public static final int KEY_BYTES = 32;

  static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,16}");

  /**
   * Validates the id and the key length, and copies the key so that the caller's array cannot
   * change it later.
   *
   * @throws IllegalArgumentException naming what is wrong (never showing the key)
   */
  public EncryptionKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(key, "key");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "an encryption key id must be 1 to 16 of [A-Za-z0-9_-], was \"" + id + "\"");
    }
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "the encryption key \"" + id + "\" must have 32 bytes, has " + key.length);
    }
    key = key.clone();
  }

  /** A fresh random key named {@code id}. */
  public static EncryptionKey generate(String id, SecureRandom random) {
    byte[] key = new byte[KEY_BYTES];
    random.nextBytes(key);
    return new EncryptionKey(id, key);
  }

  /** A copy of the key bytes. */
  @Override
  public byte[] key() {
    return key.clone();
  }

  /** The same id and the same key bytes, compared in constant time. */
  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof EncryptionKey that
        && id.equals(that.id)
        && MessageDigest.isEqual(key, that.key);
  }

  @Override
  public int hashCode() {
    return 31 * id.hashCode() + Arrays.hashCode(key);
  }

  /** Only the id: a key must not reach a log. */
  @Override
  public String toString() {
    return "EncryptionKey[" + id + "]";
  }
}
