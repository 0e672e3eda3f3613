package dev.odim.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRingTest {
  private static final String KEY_A = Base64.getEncoder().encodeToString(Keys.A.key());
  private static final String KEY_B = Base64.getEncoder().encodeToString(Keys.B.key());

  @TempDir Path data;

  @Test
  void theFirstKeyIsActiveAndAllAreKept() {
    KeyRing ring = KeyRing.parse("b:" + KEY_B + ", a:" + KEY_A);

    assertThat(ring.active()).isEqualTo(Keys.B);
    assertThat(ring.keys()).containsExactly(Keys.B, Keys.A);
    assertThat(ring.key("a")).contains(Keys.A);
    assertThat(ring.key("x")).isEmpty();
  }

  @Test
  void badValuesAreRefusedNamingTheSettingWithoutShowingAKey() {
    String key29 = Base64.getEncoder().encodeToString(new byte[29]);
    for (List<String> bad :
        List.of(
            List.of("", "must be a comma-separated list of ID:KEY"),
            List.of("no-colon", "must be a comma-separated list of ID:KEY"),
            List.of("a.b:" + KEY_A, "ID is 1 to 16 of [A-Za-z0-9_-]"),
            List.of("seventeen-chars-x:" + KEY_A, "ID is 1 to 16"),
            List.of("a:not base64!", "the key of \"a\" is not base64"),
            List.of("a:" + key29, "the key of \"a\" has 29 bytes"),
            List.of("a:" + KEY_A + ",a:" + KEY_B, "the id \"a\" appears twice"))) {
      assertThatThrownBy(() -> KeyRing.parse(bad.get(0)))
          .as(bad.get(0))
          .isInstanceOf(OdimConfigException.class)
          .hasMessageStartingWith("ODIM_ENCRYPTION_KEYS: ")
          .hasMessageContaining(bad.get(1))
          .hasMessageNotContaining(KEY_A)
          .hasMessageNotContaining(KEY_B);
    }
  }

  @Test
  void aRingNeedsKeysWithDistinctIds() {
    assertThatThrownBy(() -> KeyRing.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a key ring needs at least one key");
    assertThatThrownBy(() -> KeyRing.of(Keys.A, Keys.key("a", 7)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the key id \"a\" appears twice in the key ring");
  }

  @Test
  void aKeyIsValidatedCopiedAndNeverPrinted() {
    byte[] bytes = new byte[32];
    EncryptionKey key = new EncryptionKey("k1", bytes);
    bytes[0] = 1;

    assertThat(key.key()[0]).isZero();
    key.key()[1] = 1;
    assertThat(key.key()[1]).isZero();
    assertThat(key).isEqualTo(new EncryptionKey("k1", new byte[32]));
    assertThat(key).hasSameHashCodeAs(new EncryptionKey("k1", new byte[32]));
    assertThat(key).isNotEqualTo(new EncryptionKey("k2", new byte[32]));
    assertThat(key.toString()).isEqualTo("EncryptionKey[k1]");
    assertThat(KeyRing.of(Keys.B, Keys.A).toString()).isEqualTo("KeyRing[b, a]");
    assertThatThrownBy(() -> new EncryptionKey("k1", new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the encryption key \"k1\" must have 32 bytes, has 16");
    assertThatThrownBy(() -> new EncryptionKey("k.1", new byte[32]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 16 of [A-Za-z0-9_-]");
  }

  @Test
  void aMissingKeyFileIsCreatedOwnerOnlyAndReadBackTheSame() throws Exception {
    Path file = data.resolve("odim-data").resolve("encryption.keys");

    KeyRing.Loaded created = KeyRing.loadOrCreate(file, new SecureRandom());

    assertThat(created.created()).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(created.keyRing().active().id()).matches("local-[0-9a-f]{8}");
    KeyRing.Loaded again = KeyRing.loadOrCreate(file, new SecureRandom());
    assertThat(again.created()).isFalse();
    assertThat(again.keyRing().keys()).isEqualTo(created.keyRing().keys());
    String stored = FieldCipher.of(created.keyRing()).encrypt("ada", "users.email:1");
    assertThat(FieldCipher.of(again.keyRing()).decrypt(stored, "users.email:1")).isEqualTo("ada");
  }

  @Test
  void creatingAKeyFileThatAppearedMeanwhileLeavesTheOtherKeyInPlace() throws Exception {
    // Regression: the clean-up after a failed create deleted a file another process had made.
    Path file = data.resolve("encryption.keys");
    KeyRing.Loaded theirs = KeyRing.loadOrCreate(file, new SecureRandom());

    assertThatThrownBy(() -> KeyRing.create(file, Keys.A))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(KeyRing.loadOrCreate(file, new SecureRandom()).keyRing().keys())
        .isEqualTo(theirs.keyRing().keys());
  }

  @Test
  void aKeyFileMayListSeveralKeysOnePerLine() throws Exception {
    Path file = data.resolve("encryption.keys");
    Files.writeString(file, "b:" + KEY_B + "\na:" + KEY_A + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    KeyRing.Loaded loaded = KeyRing.loadOrCreate(file, new SecureRandom());

    assertThat(loaded.keyRing().keys()).containsExactly(Keys.B, Keys.A);
  }

  @Test
  void aKeyFileOthersMayReadIsRefused() throws Exception {
    Path file = data.resolve("encryption.keys");
    KeyRing.loadOrCreate(file, new SecureRandom());
    for (String open : List.of("rw-r--r--", "rw-r-----", "rw----r--", "rw--w----")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(open));

      assertThatThrownBy(() -> KeyRing.loadOrCreate(file, new SecureRandom()))
          .as(open)
          .isInstanceOf(OdimConfigException.class)
          .hasMessage(
              file
                  + ": is open to group or others ("
                  + open
                  + "); whoever reads it can decrypt every encrypted field. Restrict it with chmod"
                  + " 600 (and check who read it), then start again");
    }
  }

  @Test
  void aBrokenKeyFileIsRefusedNamingTheFile() throws Exception {
    Path file = data.resolve("encryption.keys");
    Files.writeString(file, "");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    assertThatThrownBy(() -> KeyRing.loadOrCreate(file, new SecureRandom()))
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith(file + ": must be a comma-separated list of ID:KEY")
        .extracting(e -> ((OdimConfigException) e).setting())
        .isEqualTo(file.toString());
  }
}
