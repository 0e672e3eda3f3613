package dev.odim.webhooks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The secrets a provider's signatures are checked against. Rotating a secret at a provider is not
 * atomic with redeploying every receiver: for a while some deliveries are signed with the old
 * secret and some with the new one. So the old secret stays accepted until a chosen instant and is
 * refused after it, without a second deployment to remove it.
 *
 * <p>Immutable; {@link #withPrevious} returns a new instance. {@link #toString()} never shows a
 * secret, so an instance can be logged or put in an exception message safely.
 *
 * <pre>{@code
 * SigningSecrets secrets = SigningSecrets.of(newKey)
 *     .withPrevious(oldKey, Instant.parse("2026-12-01T00:00:00Z"));
 * }</pre>
 */
public final class SigningSecrets {

  private final String current;
  private final List<Previous> previous;

  private record Previous(String secret, Instant acceptedUntil) {}

  private SigningSecrets(String current, List<Previous> previous) {
    this.current = current;
    this.previous = List.copyOf(previous);
  }

  /**
   * The secret in use now.
   *
   * @throws IllegalArgumentException when it is blank (an unset environment variable is the usual
   *     cause, and an empty HMAC key would accept signatures anyone can compute)
   */
  public static SigningSecrets of(String current) {
    return new SigningSecrets(requireSecret(current, "current secret"), List.of());
  }

  /**
   * Also accepts {@code old} while {@code now} is before {@code acceptedUntil}; from that instant
   * on it is refused. May be called more than once when several rotations overlap.
   *
   * @throws IllegalArgumentException when {@code old} is blank
   */
  public SigningSecrets withPrevious(String old, Instant acceptedUntil) {
    Objects.requireNonNull(acceptedUntil, "acceptedUntil");
    List<Previous> more = new ArrayList<>(previous);
    more.add(new Previous(requireSecret(old, "previous secret"), acceptedUntil));
    return new SigningSecrets(current, more);
  }

  /** The secrets accepted at {@code now}: the current one first, then unexpired previous ones. */
  public List<String> active(Instant now) {
    if (previous.isEmpty()) {
      return List.of(current);
    }
    List<String> active = new ArrayList<>(1 + previous.size());
    active.add(current);
    for (Previous p : previous) {
      if (now.isBefore(p.acceptedUntil())) {
        active.add(p.secret());
      }
    }
    return List.copyOf(active);
  }

  /**
   * Every secret, expired or not: for providers that must check the format of each secret once,
   * when they are built, rather than on every delivery.
   */
  public List<String> all() {
    List<String> all = new ArrayList<>(1 + previous.size());
    all.add(current);
    previous.forEach(p -> all.add(p.secret()));
    return List.copyOf(all);
  }

  private static String requireSecret(String secret, String what) {
    Objects.requireNonNull(secret, what);
    if (secret.isBlank()) {
      throw new IllegalArgumentException(what + " is blank");
    }
    return secret;
  }

  /** Shows how many secrets there are and until when the previous ones last, never the secrets. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("SigningSecrets[current=***");
    for (Previous p : previous) {
      s.append(", previous=*** until ").append(p.acceptedUntil());
    }
    return s.append(']').toString();
  }
}
