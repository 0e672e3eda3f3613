package dev.odim.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class BlindIndexTest {
  private final BlindIndex emails =
      BlindIndex.of(KeyRing.of(Keys.A), "users.email", BlindIndex.EMAIL);

  @Test
  void theSameValueAlwaysHasTheSameIndex() {
    assertThat(emails.current("ada@example.com"))
        .hasSize(32)
        .isEqualTo(emails.current("ada@example.com"))
        .isEqualTo(
            BlindIndex.of(KeyRing.of(Keys.A), "users.email", BlindIndex.EMAIL)
                .current("ada@example.com"));
    assertThat(emails.current("ada@example.com")).isNotEqualTo(emails.current("bob@example.com"));
  }

  @Test
  void emailsAreComparedWithoutCaseSurroundingSpaceOrUnicodeComposition() {
    assertThat(emails.current("Ada@Example.com ")).isEqualTo(emails.current("ada@example.com"));
    assertThat(emails.current(" zoe\u0301@example.com"))
        .isEqualTo(emails.current("ZO\u00c9@example.com"));
    assertThat(emails.current("a da@example.com")).isNotEqualTo(emails.current("ada@example.com"));
  }

  @Test
  void exactValuesDifferByCase() {
    BlindIndex codes = BlindIndex.of(KeyRing.of(Keys.A), "codes", BlindIndex.EXACT);

    assertThat(codes.current("Ab")).isNotEqualTo(codes.current("ab"));
    assertThat(codes.current("e\u0301")).isEqualTo(codes.current("\u00e9"));
  }

  @Test
  void eachKeyAndEachFieldHasItsOwnIndex() {
    byte[] underA = emails.current("ada@example.com");

    assertThat(
            BlindIndex.of(KeyRing.of(Keys.B), "users.email", BlindIndex.EMAIL)
                .current("ada@example.com"))
        .isNotEqualTo(underA);
    assertThat(
            BlindIndex.of(KeyRing.of(Keys.A), "admins.email", BlindIndex.EMAIL)
                .current("ada@example.com"))
        .isNotEqualTo(underA);
  }

  @Test
  void anIndexIsNeverTheHmacUnderTheEncryptionKeyItself() throws Exception {
    Mac raw = Mac.getInstance("HmacSHA256");
    raw.init(new SecretKeySpec(Keys.A.key(), "HmacSHA256"));

    assertThat(emails.current("ada@example.com"))
        .isNotEqualTo(raw.doFinal("ada@example.com".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void candidatesHoldEveryKeysIndexTheActiveOneFirst() {
    BlindIndex rotated = BlindIndex.of(KeyRing.of(Keys.B, Keys.A), "users.email", BlindIndex.EMAIL);

    assertThat(rotated.candidates("Ada@Example.com"))
        .containsExactly(rotated.current("ada@example.com"), emails.current("ada@example.com"));
  }

  @Test
  void theKeyDerivationIsHkdfSha256AsRfc5869SaysIt() {
    // RFC 5869 appendix A.3: IKM = 22 bytes of 0x0b, no salt, no info; the first 32 bytes of OKM.
    byte[] ikm = new byte[22];
    Arrays.fill(ikm, (byte) 0x0b);

    assertThat(HexFormat.of().formatHex(BlindIndex.hkdfSha256(ikm, new byte[0])))
        .isEqualTo("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d");
  }

  @Test
  void anIndexNeedsAName() {
    assertThatThrownBy(() -> BlindIndex.of(KeyRing.of(Keys.A), " ", BlindIndex.EMAIL))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
