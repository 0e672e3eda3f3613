package dev.odim.uploads.client.internal;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The cancel switch of one upload call, shared by its parts: flipping it aborts every request in
 * flight (the HTTP client closes the exchange when its future is cancelled) and wakes every backoff
 * wait, so a cancel takes effect at once rather than after the current 32 MiB chunk.
 */
public final class Cancellation {
  private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
  private final CountDownLatch cancelled = new CountDownLatch(1);
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean terminate;

  /** Cancels; with {@code terminate}, the call also deletes the upload on the server. */
  public void cancel(boolean terminate) {
    if (terminate) {
      this.terminate = true;
    }
    cancelled.countDown();
    for (CompletableFuture<?> future : inFlight) {
      future.cancel(true);
    }
    for (Runnable listener : listeners) {
      listener.run();
    }
  }

  /** Runs {@code listener} when this is cancelled (at once, if it already is). */
  public void onCancel(Runnable listener) {
    listeners.add(listener);
    if (isCancelled()) {
      listener.run();
    }
  }

  public boolean isCancelled() {
    return cancelled.getCount() == 0;
  }

  public boolean terminate() {
    return terminate;
  }

  /** Waits {@code delay} or until cancelled; true when cancelled. */
  public boolean sleep(Duration delay) throws InterruptedException {
    return cancelled.await(delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Waits for {@code future}, cancelling it when this call is cancelled.
   *
   * @throws CancellationException when cancelled
   */
  public <T> T await(CompletableFuture<T> future) throws ExecutionException, InterruptedException {
    inFlight.add(future);
    try {
      if (isCancelled()) {
        future.cancel(true);
      }
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    } finally {
      inFlight.remove(future);
    }
  }
}
