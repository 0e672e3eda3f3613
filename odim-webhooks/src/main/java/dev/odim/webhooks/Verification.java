package dev.odim.webhooks;

/**
 * Whether a delivery's signature proves that it came from the provider. A value, not an exception:
 * a bad signature is expected input (probes, misconfigured senders), answered 401.
 */
public sealed interface Verification {

  /** The signature matched one of the active secrets. */
  record Verified() implements Verification {}

  /**
   * The delivery is not the provider's, or not any more (outside the timestamp tolerance).
   *
   * @param reason why, for logs and metrics; never includes the body or a secret
   */
  record Rejected(String reason) implements Verification {}

  /** The one {@link Verified} value. */
  Verification VERIFIED = new Verified();

  static Verification rejected(String reason) {
    return new Rejected(reason);
  }
}
