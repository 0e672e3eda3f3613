package dev.odim.uploads.internal;

import java.util.UUID;

/**
 * One writer's hold on one upload. The heartbeat keeps it alive in the database and flips {@link
 * #released} when another request asked for the upload, or {@link #lost} when the lease ran out and
 * someone else took it; the writer checks {@link #usable()} between buffers and stops.
 */
public final class Lease {
  private final UUID uploadId;
  private final String token;
  private final long timeoutNanos;
  private volatile long renewedNanos;
  private volatile boolean released;
  private volatile boolean lost;
  private volatile long confirmedNanos = Long.MAX_VALUE;

  Lease(UUID uploadId, String token, long timeoutNanos) {
    this.uploadId = uploadId;
    this.token = token;
    this.timeoutNanos = timeoutNanos;
    this.renewedNanos = System.nanoTime();
  }

  public UUID uploadId() {
    return uploadId;
  }

  public String token() {
    return token;
  }

  /** The lease is in the table: from now on a heartbeat that misses it means it was taken. */
  void confirm() {
    confirmedNanos = System.nanoTime();
  }

  /** Whether the lease was in the table before {@code nanos}. */
  boolean confirmedBefore(long nanos) {
    return confirmedNanos < nanos;
  }

  void renewed(boolean releaseRequested) {
    renewedNanos = System.nanoTime();
    if (releaseRequested) {
      released = true;
    }
  }

  void requestRelease() {
    released = true;
  }

  void lose() {
    lost = true;
  }

  /** Whether another request asked this writer to let go. */
  public boolean releaseRequested() {
    return released;
  }

  /**
   * Whether the writer may go on: nobody asked for the upload, the lease was not taken over, and
   * the last renewal is recent enough that it cannot have run out unnoticed (a heartbeat stalled by
   * a long pause). Three quarters of the timeout leaves the database's clock room to differ.
   */
  public boolean usable() {
    return !released && !lost && System.nanoTime() - renewedNanos < timeoutNanos * 3 / 4;
  }
}
