package dev.odim.core.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Encrypts one field (a column's value in one row) with AES-256-GCM under the key ring's active
 * key, and decrypts it under whichever key of the ring encrypted it.
 *
 * <p>A ciphertext is text, safe for a {@code text} column, and says how to read it: {@code
 * v1.<keyId>.<base64url(nonce | ciphertext | tag)>}, with a random 96-bit nonce for every
 * encryption (so equal values encrypt differently) and a 128-bit tag (so a changed value is
 * refused, not decrypted to garbage). The {@code context} names where the value lives, such as
 * {@code "users.email:" + userId}; it is authenticated with the value, so a ciphertext copied to
 * another column or row does not decrypt. Use the same context to encrypt and to decrypt.
 *
 * <pre>{@code
 * FieldCipher cipher = FieldCipher.of(keyRing);
 * String stored = cipher.encrypt("ada@example.com", "users.email:" + id);
 * String email = cipher.decrypt(stored, "users.email:" + id);
 * }</pre>
 *
 * <p>Thread-safe and cheap to share: each call takes its own {@link Cipher}, because a {@code
 * Cipher} holds per-operation state, and a fresh one costs far less than a lock shared by every
 * request would.
 *
 * <p>Random 96-bit nonces stay safe for about 2<sup>32</sup> encryptions per key (NIST SP 800-38D
 * section 8.3); rotate the key well before that.
 */
public final class FieldCipher {

  private static final String VERSION = "v1";
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final KeyRing keyRing;
  private final SecureRandom random;

  private FieldCipher(KeyRing keyRing, SecureRandom random) {
    this.keyRing = Objects.requireNonNull(keyRing, "keyRing");
    this.random = Objects.requireNonNull(random, "random");
  }

  /** A cipher that encrypts with the ring's active key and decrypts with any of its keys. */
  public static FieldCipher of(KeyRing keyRing) {
    return new FieldCipher(keyRing, new SecureRandom());
  }

  /** The keys this cipher uses. */
  public KeyRing keyRing() {
    return keyRing;
  }

  /** Encrypts text (as UTF-8) for the place named by {@code context}. */
  public String encrypt(String plaintext, String context) {
    return encrypt(plaintext.getBytes(StandardCharsets.UTF_8), context);
  }

  /** Encrypts bytes for the place named by {@code context}. */
  public String encrypt(byte[] plaintext, String context) {
    Objects.requireNonNull(plaintext, "plaintext");
    requireContext(context);
    String keyId = keyRing.activeId();
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] sealed;
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(
          Cipher.ENCRYPT_MODE, keyRing.aesKey(keyId), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData(keyId, context));
      sealed = new byte[NONCE_BYTES + cipher.getOutputSize(plaintext.length)];
      System.arraycopy(nonce, 0, sealed, 0, NONCE_BYTES);
      cipher.doFinal(plaintext, 0, plaintext.length, sealed, NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      // AES-GCM is required of every Java platform; this is a broken JDK, not bad input.
      throw new IllegalStateException("AES-GCM is not available: " + e, e);
    }
    return VERSION + "." + keyId + "." + ENCODER.encodeToString(sealed);
  }

  /**
   * Decrypts text that {@link #encrypt(String, String)} made for the same {@code context}.
   *
   * @throws UnknownKeyException when the key it names is not in the ring
   * @throws DecryptionException when it was made for another context or under another key of the
   *     same id, was changed, is not a ciphertext, or is not UTF-8 text
   */
  public String decrypt(String ciphertext, String context) {
    Token token = Token.parse(ciphertext);
    byte[] plaintext = open(token, context);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(plaintext))
          .toString();
    } catch (CharacterCodingException e) {
      throw new DecryptionException(
          token.keyId(),
          "decrypted a value under key \""
              + token.keyId()
              + "\" for context \""
              + context
              + "\", but it is bytes, not UTF-8 text; use decryptBytes");
    }
  }

  /**
   * Decrypts bytes that {@link #encrypt(byte[], String)} made for the same {@code context}.
   *
   * @throws UnknownKeyException when the key it names is not in the ring
   * @throws DecryptionException when it was made for another context or under another key of the
   *     same id, was changed, or is not a ciphertext
   */
  public byte[] decryptBytes(String ciphertext, String context) {
    return open(Token.parse(ciphertext), context);
  }

  /**
   * Whether {@code ciphertext} was encrypted under the ring's active key; a value that is not is
   * still readable, and {@link #reencrypt} moves it.
   *
   * @throws DecryptionException when it is not a ciphertext at all
   */
  public boolean isCurrent(String ciphertext) {
    return Token.parse(ciphertext).keyId().equals(keyRing.activeId());
  }

  /**
   * The same value encrypted under the active key (with a new nonce), or {@code ciphertext} itself
   * when it already is: what a rotation does to each stored value.
   *
   * @throws DecryptionException as {@link #decryptBytes} does
   */
  public String reencrypt(String ciphertext, String context) {
    if (isCurrent(ciphertext)) {
      requireContext(context);
      return ciphertext;
    }
    return encrypt(decryptBytes(ciphertext, context), context);
  }

  /**
   * The prefix every ciphertext under the active key starts with, for finding stale rows in SQL.
   */
  String currentPrefix() {
    return VERSION + "." + keyRing.activeId() + ".";
  }

  private byte[] open(Token token, String context) {
    requireContext(context);
    SecretKeySpec key = keyRing.aesKey(token.keyId());
    if (key == null) {
      throw new UnknownKeyException(
          token.keyId(),
          "the value was encrypted under key \""
              + token.keyId()
              + "\", which is not in the key ring "
              + keyRing.ids()
              + "; add that key back to "
              + KeyRing.SETTING
              + " (after the active one) to read it");
    }
    byte[] sealed = token.sealed();
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
      cipher.updateAAD(associatedData(token.keyId(), context));
      return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw new DecryptionException(
          token.keyId(),
          "the value under key \""
              + token.keyId()
              + "\" does not decrypt for context \""
              + context
              + "\": it was encrypted for another column or row, under another key with the same"
              + " id, or changed since",
          e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e, e);
    }
  }

  /**
   * What the tag authenticates besides the value: the version and key id written in front of it (so
   * the header cannot be changed either) and the context (so the value cannot be moved).
   */
  private static byte[] associatedData(String keyId, String context) {
    return (VERSION + "." + keyId + "." + context).getBytes(StandardCharsets.UTF_8);
  }

  private static void requireContext(String context) {
    Objects.requireNonNull(context, "context");
    if (context.isEmpty()) {
      throw new IllegalArgumentException(
          "the context must name where the value is stored, such as \"users.email:\" + id");
    }
  }

  /** A ciphertext taken apart: {@code v1.<keyId>.<base64url(nonce | ciphertext | tag)>}. */
  private record Token(String keyId, byte[] sealed) {

    static Token parse(String text) {
      Objects.requireNonNull(text, "ciphertext");
      int first = text.indexOf('.');
      int second = first < 0 ? -1 : text.indexOf('.', first + 1);
      if (second < 0 || !text.substring(0, first).equals(VERSION)) {
        throw notACiphertext(null);
      }
      String keyId = text.substring(first + 1, second);
      if (!EncryptionKey.ID.matcher(keyId).matches()) {
        throw notACiphertext(null);
      }
      byte[] sealed;
      try {
        sealed = DECODER.decode(text.substring(second + 1));
      } catch (IllegalArgumentException e) {
        throw notACiphertext(keyId);
      }
      if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
        throw notACiphertext(keyId);
      }
      return new Token(keyId, sealed);
    }

    private static DecryptionException notACiphertext(@Nullable String keyId) {
      // The text may be a plaintext that was never encrypted: do not echo it.
      return new DecryptionException(
          keyId,
          "the value is not a "
              + VERSION
              + " ciphertext (v1.<keyId>.<base64url>); it was not encrypted by FieldCipher or is"
              + " cut short (the value is not shown)");
    }
  }
}
