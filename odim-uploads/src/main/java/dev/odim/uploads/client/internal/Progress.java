package dev.odim.uploads.client.internal;

import dev.odim.uploads.client.ProgressListener;

/**
 * Adds up what the server acknowledged for each part and tells the listener, one call at a time and
 * only ever more: a server that answers a HEAD with a lower offset than it acknowledged before (it
 * lost an unsynced write) must not make the bar go backwards.
 */
final class Progress {
  private final ProgressListener listener;
  private final long total;
  private final long[] acknowledged;
  private long reported = -1;

  Progress(ProgressListener listener, long total, int parts) {
    this.listener = listener;
    this.total = total;
    this.acknowledged = new long[parts];
  }

  synchronized void acknowledged(int part, long offset) {
    if (offset <= acknowledged[part]) {
      if (reported < 0 && offset == 0) {
        report(0);
      }
      return;
    }
    acknowledged[part] = offset;
    long sum = 0;
    for (long each : acknowledged) {
      sum += each;
    }
    if (sum > reported) {
      report(sum);
    }
  }

  /** The upload completed: the last call says so, even for an empty file. */
  synchronized void completed() {
    if (reported < total) {
      report(total);
    }
  }

  synchronized long sum() {
    long sum = 0;
    for (long each : acknowledged) {
      sum += each;
    }
    return sum;
  }

  private void report(long value) {
    reported = value;
    listener.onProgress(value, total);
  }
}
