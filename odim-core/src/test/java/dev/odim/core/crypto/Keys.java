package dev.odim.core.crypto;

import java.util.Arrays;

/** Fixed test keys, so that a failure can be replayed. */
final class Keys {
  static final EncryptionKey A = key("a", 1);
  static final EncryptionKey B = key("b", 2);
  static final EncryptionKey C = key("c", 3);

  private Keys() {}

  static EncryptionKey key(String id, int fill) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) fill);
    bytes[0] = (byte) id.hashCode();
    return new EncryptionKey(id, bytes);
  }
}
