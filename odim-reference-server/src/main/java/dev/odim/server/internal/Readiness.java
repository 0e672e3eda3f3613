package dev.odim.server.internal;

import dev.odim.core.db.Db;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Answers whether the server can do useful work, i.e. whether the database answers within the
 * timeout. When the database hangs, a connection attempt can take the pool's full connection
 * timeout; the probe does not wait for it but answers "not ready" after {@code timeout}, and probes
 * arriving meanwhile share the one check in flight instead of piling up connection attempts.
 */
public final class Readiness {
  private final Db db;
  private final Duration timeout;
  private final AtomicReference<CompletableFuture<Boolean>> inFlight =
      new AtomicReference<>(CompletableFuture.completedFuture(false));

  public Readiness(Db db, Duration timeout) {
    this.db = db;
    this.timeout = timeout;
  }

  /** Whether the database answered within the timeout; never throws. */
  public boolean ready() {
    CompletableFuture<Boolean> check = currentCheck();
    try {
      return check.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    }
  }

  private CompletableFuture<Boolean> currentCheck() {
    while (true) {
      CompletableFuture<Boolean> current = inFlight.get();
      if (!current.isDone()) {
        return current;
      }
      CompletableFuture<Boolean> fresh = new CompletableFuture<>();
      if (inFlight.compareAndSet(current, fresh)) {
        Thread.ofVirtual()
            .name("odim-readiness")
            .start(() -> fresh.complete(db.isReachable(timeout)));
        return fresh;
      }
    }
  }
}
