package dev.odim.server.internal.web;

/** Whether a route takes an {@code Idempotency-Key} header (odim-core's IdempotencyKeys). */
public enum Idempotency {
  /** The header is ignored: reads, and sign-in routes whose answer carries a fresh secret. */
  NONE,
  /** With the header, retries replay the first success; without it, every request runs. */
  OPTIONAL,
  /** The header must be sent (400 without): writes that move money. */
  REQUIRED
}
