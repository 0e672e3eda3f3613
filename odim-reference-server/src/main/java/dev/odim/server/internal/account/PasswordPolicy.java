package dev.odim.server.internal.account;

import com.nulabinc.zxcvbn.Strength;
import com.nulabinc.zxcvbn.Zxcvbn;
import java.util.List;
import java.util.Optional;

/**
 * Which passwords are refused, as OWASP ASVS 5.0 asks: too short (under {@link #MIN_LENGTH}), too
 * long for the hash to be cheap to refuse ({@link #MAX_LENGTH}), or guessable: in the dictionary of
 * the most common breached passwords that zxcvbn carries, or made of the user's own email or name.
 * No composition rules (they make passwords worse, not better). Checked offline: a breach API is
 * not reachable from every deployment, and the dictionary covers what attackers try first.
 */
public final class PasswordPolicy {
  /** The shortest password accepted. */
  public static final int MIN_LENGTH = 12;

  /** The longest password accepted; Argon2 is fed UTF-8 bytes, so this bounds its input. */
  public static final int MAX_LENGTH = 128;

  /** zxcvbn's score from 0 (guessable in under 10^3 tries) to 4; 3 is "safely unguessable". */
  private static final int MIN_SCORE = 3;

  private final Zxcvbn zxcvbn = new Zxcvbn();

  /** Why {@code password} is refused, or empty when it is acceptable. */
  public Optional<String> refusal(String password, List<String> userInputs) {
    int length = password.codePointCount(0, password.length());
    if (length < MIN_LENGTH) {
      return Optional.of("must be at least " + MIN_LENGTH + " characters long");
    }
    if (length > MAX_LENGTH) {
      return Optional.of("must be at most " + MAX_LENGTH + " characters long");
    }
    Strength strength = zxcvbn.measure(password, userInputs);
    boolean breached =
        strength.getSequence().stream()
            .anyMatch(
                match ->
                    "passwords".equals(match.dictionaryName)
                        && match.token.length() >= password.length() - 2);
    if (breached) {
      return Optional.of("is one of the most common breached passwords; choose another");
    }
    if (strength.getScore() < MIN_SCORE) {
      return Optional.of(
          "is too easy to guess; a few unrelated words or a longer phrase work well");
    }
    return Optional.empty();
  }
}
