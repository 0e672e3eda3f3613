package dev.odim.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MaskTest {

  @Test
  void emailKeepsFirstLettersAndTopLevelDomain() {
    assertThat(Mask.email("ada@example.com")).isEqualTo("a**@e******.com");
    assertThat(Mask.email("grace.hopper@navy.mil.ng")).isEqualTo("g***********@n*******.ng");
    assertThat(Mask.email("a@b.io")).isEqualTo("*@*.io");
    assertThat(Mask.email("not-an-email")).isEqualTo("************");
  }

  @Test
  void phoneKeepsLastFourDigitsAndShape() {
    assertThat(Mask.phone("+234 801 234 5678")).isEqualTo("+*** *** *** 5678");
    assertThat(Mask.phone("08012345678")).isEqualTo("*******5678");
    assertThat(Mask.phone("1234")).isEqualTo("****");
  }

  @Test
  void nameKeepsFirstLetterOfEachWord() {
    assertThat(Mask.name("Ada Lovelace")).isEqualTo("A** L*******");
    assertThat(Mask.name("Chiamaka Okafor-Eze")).isEqualTo("C******* O*****-E**");
    assertThat(Mask.name("Ðorđe")).isEqualTo("Ð****");
  }

  @Test
  void cardKeepsLastFourDigitsOnly() {
    assertThat(Mask.card("4242 4242 4242 4242")).isEqualTo("************4242");
    assertThat(Mask.card("5399-8300-0000-1234")).isEqualTo("************1234");
  }

  @Test
  void keepLastShowsNothingOfAValueNoLongerThanWhatItWouldKeep() {
    assertThat(Mask.keepLast("ACCT-1234567890", 4)).isEqualTo("***********7890");
    assertThat(Mask.keepLast("1234", 4)).isEqualTo("****");
    assertThat(Mask.keepLast("a😀b😀", 1)).isEqualTo("***😀");
    assertThat(Mask.all("secret")).isEqualTo("******");
    assertThatThrownBy(() -> Mask.keepLast("x", -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void maskedValuesPassTheEventsClearEmailCheck() {
    AuditEvent event =
        AuditEvent.builder("auth.login.failed")
            .summary("Sign-in failed for " + Mask.email("ada@example.com"))
            .detail("email", Mask.email("ada.lovelace+fans@example.co.uk"))
            .build();
    assertThat(event.summary()).isEqualTo("Sign-in failed for a**@e******.com");
  }
}
