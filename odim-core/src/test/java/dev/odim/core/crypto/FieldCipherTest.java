package dev.odim.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class FieldCipherTest {
  private static final String EMAIL = "users.email:42";

  private final FieldCipher cipher = FieldCipher.of(KeyRing.of(Keys.A));

  @Test
  void textRoundTripsIncludingUnicodeAndTheEmptyString() {
    for (String value : List.of("ada@example.com", "", "Zoë Ñandú 北京 🇳🇬 \u0000 end")) {
      String stored = cipher.encrypt(value, EMAIL);

      assertThat(cipher.decrypt(stored, EMAIL)).isEqualTo(value);
      assertThat(stored).doesNotContain(value.isEmpty() ? "\u0001" : value);
    }
  }

  @Test
  void bytesRoundTrip() {
    byte[] account = {0, 1, 2, (byte) 0xff, (byte) 0x80};

    String stored = cipher.encrypt(account, "payouts.account:7");

    assertThat(cipher.decryptBytes(stored, "payouts.account:7")).isEqualTo(account);
  }

  @Test
  void ciphertextSaysItsVersionAndKeyAndIsUrlSafeText() {
    String stored = cipher.encrypt("ada@example.com", EMAIL);

    assertThat(stored).startsWith("v1.a.").matches("[A-Za-z0-9._-]+");
    // 12 bytes nonce + 15 bytes of text + 16 bytes tag
    assertThat(Base64.getUrlDecoder().decode(stored.substring(5))).hasSize(12 + 15 + 16);
  }

  @Test
  void equalValuesEncryptDifferently() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      seen.add(cipher.encrypt("ada@example.com", EMAIL));
    }

    assertThat(seen).hasSize(1000);
  }

  @Test
  void changingAnyByteIsRefused() {
    String stored = cipher.encrypt("ada@example.com", EMAIL);
    byte[] sealed = Base64.getUrlDecoder().decode(stored.substring(5));

    for (int i = 0; i < sealed.length; i++) {
      byte[] tampered = sealed.clone();
      tampered[i] ^= 1;
      String changed = "v1.a." + Base64.getUrlEncoder().withoutPadding().encodeToString(tampered);

      assertThatThrownBy(() -> cipher.decrypt(changed, EMAIL))
          .as("byte %d changed", i)
          .isInstanceOf(DecryptionException.class)
          .isInstanceOf(OdimException.class)
          .hasMessageContaining("key \"a\"")
          .hasMessageNotContaining("ada");
    }
  }

  @Test
  void aValueCopiedToAnotherRowOrColumnDoesNotDecrypt() {
    String stored = cipher.encrypt("ada@example.com", "users.email:42");

    assertThatThrownBy(() -> cipher.decrypt(stored, "users.email:43"))
        .isInstanceOf(DecryptionException.class)
        .hasMessageContaining("for context \"users.email:43\"");
    assertThatThrownBy(() -> cipher.decrypt(stored, "users.phone:42"))
        .isInstanceOf(DecryptionException.class);
  }

  @Test
  void anotherKeyUnderTheSameIdIsRefused() {
    String stored = cipher.encrypt("ada@example.com", EMAIL);
    FieldCipher impostor = FieldCipher.of(KeyRing.of(Keys.key("a", 9)));

    assertThatThrownBy(() -> impostor.decrypt(stored, EMAIL))
        .isInstanceOf(DecryptionException.class)
        .extracting(e -> ((DecryptionException) e).keyId())
        .isEqualTo("a");
  }

  @Test
  void relabellingTheKeyIdIsRefused() {
    FieldCipher both = FieldCipher.of(KeyRing.of(Keys.A, Keys.B));
    String stored = both.encrypt("ada@example.com", EMAIL);

    // Even with the right key bytes under the new label, the id is authenticated.
    FieldCipher relabelled =
        FieldCipher.of(KeyRing.of(new EncryptionKey("z", Keys.A.key()), Keys.B));
    assertThatThrownBy(() -> relabelled.decrypt("v1.z." + stored.substring(5), EMAIL))
        .isInstanceOf(DecryptionException.class);
  }

  @Test
  void olderKeysStillDecryptAfterRotationAndOnlyTheNewestEncrypts() {
    String old = cipher.encrypt("ada@example.com", EMAIL);
    FieldCipher rotated = FieldCipher.of(KeyRing.of(Keys.B, Keys.A));

    assertThat(rotated.decrypt(old, EMAIL)).isEqualTo("ada@example.com");
    assertThat(rotated.isCurrent(old)).isFalse();
    String fresh = rotated.encrypt("ada@example.com", EMAIL);
    assertThat(fresh).startsWith("v1.b.");
    assertThat(rotated.isCurrent(fresh)).isTrue();
  }

  @Test
  void reencryptMovesAValueToTheActiveKeyAndLeavesACurrentOneAlone() {
    String old = cipher.encrypt("ada@example.com", EMAIL);
    FieldCipher rotated = FieldCipher.of(KeyRing.of(Keys.B, Keys.A));

    String moved = rotated.reencrypt(old, EMAIL);

    assertThat(moved).startsWith("v1.b.");
    assertThat(FieldCipher.of(KeyRing.of(Keys.B)).decrypt(moved, EMAIL))
        .isEqualTo("ada@example.com");
    assertThat(rotated.reencrypt(moved, EMAIL)).isSameAs(moved);
    assertThatThrownBy(() -> rotated.reencrypt(old, "users.email:43"))
        .isInstanceOf(DecryptionException.class);
  }

  @Test
  void aRemovedKeyIsNamedWithTheKeysTheRingHas() {
    String old = cipher.encrypt("ada@example.com", EMAIL);
    FieldCipher withoutA = FieldCipher.of(KeyRing.of(Keys.B, Keys.C));

    assertThatThrownBy(() -> withoutA.decrypt(old, EMAIL))
        .isInstanceOf(UnknownKeyException.class)
        .hasMessage(
            "the value was encrypted under key \"a\", which is not in the key ring [b, c]; add that"
                + " key back to ODIM_ENCRYPTION_KEYS (after the active one) to read it");
  }

  @Test
  void somethingThatIsNotACiphertextIsRefusedWithoutEchoingIt() {
    for (String text :
        List.of(
            "ada@example.com", "", "v1", "v1.a", "v2.a.AAAA", "v1.a.!!!", "v1.a.AAAA", "v1..x")) {
      assertThatThrownBy(() -> cipher.decrypt(text, EMAIL))
          .as(text)
          .isInstanceOf(DecryptionException.class)
          .hasMessageContaining("is not a v1 ciphertext")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("ada@", "!!!", "AAAA"));
    }
  }

  @Test
  void bytesThatAreNotTextAreNotDecryptedAsText() {
    String stored = cipher.encrypt(new byte[] {(byte) 0xff, (byte) 0xfe}, EMAIL);

    assertThatThrownBy(() -> cipher.decrypt(stored, EMAIL))
        .isInstanceOf(DecryptionException.class)
        .hasMessageContaining("use decryptBytes");
  }

  @Test
  void anEmptyContextIsRefused() {
    assertThatThrownBy(() -> cipher.encrypt("x", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the context must name where the value is stored");
  }

  @Test
  void sixteenThreadsEncryptAndDecryptWithoutInterfering() throws Exception {
    FieldCipher shared = FieldCipher.of(KeyRing.of(Keys.B, Keys.A));
    int threads = 16;
    int each = 2_000;
    Set<String> ciphertexts = ConcurrentHashMap.newKeySet();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  int ok = 0;
                  for (int i = 0; i < each; i++) {
                    String value = "user-" + thread + "-" + i + "@example.com";
                    String context = "users.email:" + thread + "-" + i;
                    String stored = shared.encrypt(value, context);
                    ciphertexts.add(stored);
                    if (shared.decrypt(stored, context).equals(value)) {
                      ok++;
                    }
                  }
                  return ok;
                }));
      }
      start.countDown();
      int ok = 0;
      for (Future<Integer> result : results) {
        ok += result.get();
      }

      assertThat(ok).isEqualTo(threads * each);
      assertThat(ciphertexts).hasSize(threads * each);
    }
  }

  @Property(tries = 300)
  void anyTextRoundTripsForItsContextOnly(
      @ForAll @StringLength(max = 300) String value,
      @ForAll @StringLength(min = 1, max = 40) String context) {
    String stored = cipher.encrypt(value, context);

    assertThat(cipher.decrypt(stored, context))
        .isEqualTo(new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    assertThatThrownBy(() -> cipher.decrypt(stored, context + "x"))
        .isInstanceOf(DecryptionException.class);
  }

  @Property(tries = 300)
  void anyBytesRoundTrip(@ForAll byte[] value) {
    assertThat(cipher.decryptBytes(cipher.encrypt(value, EMAIL), EMAIL)).isEqualTo(value);
  }
}
