package dev.odim.bench.uploads;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap still in use after a full collection, before a scenario and at each quarter of its
 * progress: what uploads keep (buffers, requests in flight), not the garbage they make, which the
 * collector's sizing would otherwise decide. Each sample pauses the run for one collection.
 */
final class HeapWatch {
  private final long before = liveHeap();
  private final AtomicLong peak = new AtomicLong(before);
  private final AtomicInteger quarter = new AtomicInteger();

  /** Samples when {@code done} of {@code total} bytes crosses into a quarter not sampled yet. */
  void progress(long done, long total) {
    int reached = (int) Math.min(3, done * 4 / Math.max(1, total));
    int seen = quarter.get();
    if (reached > seen && quarter.compareAndSet(seen, reached)) {
      peak.accumulateAndGet(liveHeap(), Math::max);
    }
  }

  /** How far the heap in use grew over its level before the scenario, in bytes. */
  long growth() {
    return Math.max(0, peak.get() - before);
  }

  private static long liveHeap() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
