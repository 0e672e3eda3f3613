package dev.odim.uploads.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Forces a file to disk on a virtual thread of its own while its writer keeps writing, and reports
 * each forced position in order: one append's durability, overlapped with receiving.
 *
 * <p>A force covers every byte whose write returned before the force began, so the reported
 * position is the one the writer had reached then. The writer asks for a force every {@code
 * segmentSize} bytes; one is in flight at a time, and a request made meanwhile is served next with
 * the writer's latest position. The writer waits when it runs more than two segments ahead of what
 * is durable: a slow disk then slows the client instead of letting a crash lose more.
 */
final class BackgroundForce {
  private final FileChannel channel;
  private final long segmentSize;
  private final DurableOffsets durable;
  private final long maxLag;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  // all guarded by lock
  private long requested;
  private long reported;
  private boolean inFlight;
  private boolean stopped;
  private boolean finishing;
  private @Nullable Throwable failure;
  private @Nullable Thread thread;

  BackgroundForce(FileChannel channel, long offset, long segmentSize, DurableOffsets durable) {
    this.channel = channel;
    this.segmentSize = segmentSize;
    this.durable = durable;
    this.maxLag = segmentSize > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * segmentSize;
    this.requested = offset;
    this.reported = offset;
  }

  /**
   * The writer reached {@code position}; false when {@code durable} asked to stop. Throws what the
   * background force or the listener failed with.
   */
  boolean written(long position) throws IOException {
    lock.lock();
    try {
      if (position - requested >= segmentSize) {
        requested = position;
        if (thread == null) {
          thread = Thread.ofVirtual().name("odim-uploads-force").start(this::run);
        } else {
          changed.signalAll();
        }
      }
      while (position - reported > maxLag && failure == null && !stopped) {
        changed.awaitUninterruptibly();
      }
      rethrowFailure();
      return !stopped;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The writer is done at {@code position}: waits for a force in flight, forces the rest and
   * reports it. Returns the last reported offset.
   */
  long finish(long position) throws IOException {
    lock.lock();
    try {
      stopBackground();
      rethrowFailure();
      if (stopped || position == reported) {
        return reported;
      }
    } finally {
      lock.unlock();
    }
    channel.force(false);
    durable.durable(position);
    return position;
  }

  /** Stops the background thread without reporting more; for a writer that failed. */
  void abandon() {
    lock.lock();
    try {
      stopBackground();
    } finally {
      lock.unlock();
    }
  }

  private void stopBackground() {
    finishing = true;
    changed.signalAll();
    // No report may arrive after the append returned or threw.
    while (inFlight) {
      changed.awaitUninterruptibly();
    }
  }

  private void run() {
    while (true) {
      long target;
      lock.lock();
      try {
        while (requested == reported && !finishing) {
          changed.awaitUninterruptibly();
        }
        if (finishing) {
          return;
        }
        target = requested;
        inFlight = true;
      } finally {
        lock.unlock();
      }
      boolean goOn = false;
      Throwable failed = null;
      try {
        channel.force(false);
        goOn = durable.durable(target);
      } catch (IOException | RuntimeException | Error e) {
        failed = e;
      }
      lock.lock();
      try {
        inFlight = false;
        if (failed != null) {
          failure = failed;
        } else {
          reported = target;
          stopped = !goOn;
        }
        changed.signalAll();
        if (failed != null || stopped) {
          return;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  private void rethrowFailure() throws IOException {
    Throwable failed = failure;
    if (failed == null) {
      return;
    }
    switch (failed) {
      case IOException e -> throw new IOException("forcing the upload to disk failed", e);
      case RuntimeException e -> throw e;
      case Error e -> throw e;
      default -> throw new IllegalStateException(failed);
    }
  }
}
