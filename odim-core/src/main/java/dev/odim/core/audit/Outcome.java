package dev.odim.core.audit;

import java.util.Locale;

/** How an audited operation ended. Stored as its lowercase {@link #code()}. */
public enum Outcome {
  /** It happened: the sign-in succeeded, the payment moved to its new state. */
  SUCCESS,
  /** It was attempted and failed: a wrong password, a provider error. */
  FAILURE,
  /** It was refused for lack of permission or by a policy (rate limit, locked account). */
  DENIED;

  /** The stored spelling: {@code success}, {@code failure} or {@code denied}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The outcome stored as {@code code}.
   *
   * @throws IllegalArgumentException for any other text
   */
  public static Outcome fromCode(String code) {
    for (Outcome outcome : values()) {
      if (outcome.code().equals(code)) {
        return outcome;
      }
    }
    throw new IllegalArgumentException(
        "outcome must be success, failure or denied, was \"" + code + "\"");
  }
}
