package dev.odim.core.idempotency;

/** What {@link IdempotencyKeys#claim} decided for one request. */
public sealed interface Claim {

  /** The key is new (or its earlier request died): run the request, then complete or release. */
  record Acquired() implements Claim {}

  /** A request with this key and the same fingerprint finished: answer with its response. */
  record Replay(StoredResponse response) implements Claim {}

  /** A request with this key is still running: answer 409 and let the client retry later. */
  record InProgress() implements Claim {}

  /** The key was used for a different request (another fingerprint): answer 422. */
  record KeyReused() implements Claim {}
}
