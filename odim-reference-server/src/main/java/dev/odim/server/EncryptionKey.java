package dev.odim.server;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * One entry of {@code ODIM_ENCRYPTION_KEYS} ({@code id:base64}, a 256-bit AES key). The first key
 * in the list encrypts; all of them decrypt, so keys can be rotated by prepending a new one.
 *
 * @param id a short name stored next to each ciphertext, so the right key is found for decryption
 * @param key the 32 key bytes; never printed
 */
public record EncryptionKey(String id, byte[] key) {

  /** Copies the key so that the caller's array cannot change it later. */
  public EncryptionKey {
    key = key.clone();
  }

  /** A copy of the key bytes. */
  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EncryptionKey that
        && id.equals(that.id)
        && MessageDigest.isEqual(key, that.key);
  }

  @Override
  public int hashCode() {
    return 31 * id.hashCode() + Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return "EncryptionKey[" + id + "]";
  }
}
