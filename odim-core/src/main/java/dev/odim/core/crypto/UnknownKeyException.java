package dev.odim.core.crypto;

/**
 * A value was encrypted under a key the key ring does not have: a key was removed from {@code
 * ODIM_ENCRYPTION_KEYS} before {@link Reencryption} had moved every row off it, or the server runs
 * with another environment's keys. Nothing is wrong with the value; put the key back.
 */
public final class UnknownKeyException extends DecryptionException {
  private static final long serialVersionUID = 1L;

  public UnknownKeyException(String keyId, String message) {
    super(keyId, message);
  }
}
