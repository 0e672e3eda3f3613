package dev.odim.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one operation from many threads for a fixed time and measures throughput and latency. Each
 * thread records its own latencies, so measuring adds no contention of its own.
 */
public final class Load {
  private Load() {}

  /** An operation run repeatedly by one worker thread; {@code worker} is 0..threads-1. */
  @FunctionalInterface
  public interface Operation {
    void run(int worker, long sequence) throws Exception;
  }

  /** What one timed run measured. */
  public record Measurement(long operations, long errors, double seconds, long[] latenciesNanos) {

    public double opsPerSecond() {
      return operations / seconds;
    }

    /** The latency at quantile {@code q} (0..1) in milliseconds. */
    public double percentileMillis(double q) {
      if (latenciesNanos.length == 0) {
        return 0;
      }
      int index =
          (int) Math.min(latenciesNanos.length - 1, Math.ceil(q * latenciesNanos.length) - 1);
      return latenciesNanos[Math.max(0, index)] / 1_000_000.0;
    }
  }

  /** Runs {@code operation} on {@code threads} threads for {@code duration}. */
  public static Measurement run(int threads, Duration duration, Operation operation)
      throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    AtomicLong errors = new AtomicLong();
    long[][] perThread = new long[threads][];
    List<Thread> workers = new ArrayList<>();
    long[] counts = new long[threads];
    long[] deadline = new long[1];
    for (int t = 0; t < threads; t++) {
      int worker = t;
      perThread[worker] = new long[1 << 16];
      Thread thread =
          Thread.ofPlatform()
              .name("bench-" + t)
              .unstarted(
                  () -> {
                    long[] recorded = perThread[worker];
                    long n = 0;
                    try {
                      start.await();
                    } catch (InterruptedException e) {
                      return;
                    }
                    while (System.nanoTime() < deadline[0]) {
                      long began = System.nanoTime();
                      try {
                        operation.run(worker, n);
                      } catch (Exception e) {
                        errors.incrementAndGet();
                        continue;
                      }
                      long took = System.nanoTime() - began;
                      if (n >= recorded.length) {
                        recorded = Arrays.copyOf(recorded, recorded.length * 2);
                        perThread[worker] = recorded;
                      }
                      recorded[(int) n] = took;
                      n++;
                    }
                    counts[worker] = n;
                  });
      workers.add(thread);
      thread.start();
    }
    long began = System.nanoTime();
    deadline[0] = began + duration.toNanos();
    start.countDown();
    for (Thread thread : workers) {
      thread.join();
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    long total = 0;
    for (long count : counts) {
      total += count;
    }
    long[] all = new long[(int) total];
    int at = 0;
    for (int t = 0; t < threads; t++) {
      System.arraycopy(perThread[t], 0, all, at, (int) counts[t]);
      at += (int) counts[t];
    }
    Arrays.sort(all);
    return new Measurement(total, errors.get(), seconds, all);
  }
}
