package dev.odim.core.crypto;

import dev.odim.core.OdimException;
import org.jspecify.annotations.Nullable;

/**
 * A value could not be decrypted: it was encrypted under another key or for another column or row,
 * it was changed after encryption, or it is not a ciphertext at all. The message names the key id
 * and the context, never any plaintext.
 */
public class DecryptionException extends OdimException {
  private static final long serialVersionUID = 1L;

  private final @Nullable String keyId;

  public DecryptionException(@Nullable String keyId, String message) {
    super(message);
    this.keyId = keyId;
  }

  public DecryptionException(@Nullable String keyId, String message, Throwable cause) {
    super(message, cause);
    this.keyId = keyId;
  }

  /** The id of the key the value names, or null when the value is not a ciphertext at all. */
  public @Nullable String keyId() {
    return keyId;
  }
}
