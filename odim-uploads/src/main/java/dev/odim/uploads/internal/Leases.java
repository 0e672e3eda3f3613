package dev.odim.uploads.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writer leases on uploads, shared through the database by every instance.
 *
 * <p>A writer takes the lease with one conditional UPDATE. When someone holds it, the writer sets
 * the row's {@code release_requested} flag and polls: a live holder's heartbeat (five per timeout,
 * one UPDATE for all of this instance's leases) sees the flag, stops reading its request, records
 * what it has durably written and lets go; a dead holder's lease runs out after the timeout. So a
 * PATCH after a broken connection waits at most about one timeout, never on a stale lock.
 */
public final class Leases implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Leases.class);
  private static final long POLL_MILLIS = 50;

  private final UploadTable table;
  private final long leaseMillis;
  private final String instance = UUID.randomUUID().toString();
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, Lease> held = new ConcurrentHashMap<>();
  private final ScheduledExecutorService heartbeat;

  public Leases(UploadTable table, Duration timeout) {
    this.table = table;
    this.leaseMillis = timeout.toMillis();
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("odim-uploads-heartbeat").daemon().factory());
    long period = Math.max(20, leaseMillis / 5);
    heartbeat.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
  }

  /** The outcome of asking for a lease. */
  public sealed interface Acquired {
    record Taken(Lease lease, UploadRow row) implements Acquired {}

    record Gone() implements Acquired {}

    record Busy() implements Acquired {}
  }

  /**
   * Takes the lease on {@code id}, asking a holder to let go and waiting up to a little more than
   * one lease timeout; the upload's row as the new holder reads it.
   */
  public Acquired acquire(UUID id) throws InterruptedException {
    String token = instance + "/" + sequence.incrementAndGet();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(leaseMillis + 1_000);
    boolean asked = false;
    while (true) {
      // Registered before the UPDATE so a heartbeat right after it renews this lease too.
      Lease lease = new Lease(id, token, TimeUnit.MILLISECONDS.toNanos(leaseMillis));
      held.put(token, lease);
      Optional<UploadRow> row;
      try {
        row = table.acquire(id, token, leaseMillis);
      } catch (RuntimeException e) {
        held.remove(token);
        throw e;
      }
      if (row.isPresent()) {
        lease.confirm();
        return new Acquired.Taken(lease, row.get());
      }
      held.remove(token);
      if (!asked) {
        Optional<String> holder = table.requestRelease(id);
        if (holder.isEmpty()) {
          // No holder but no row taken: the upload is gone, or it was released just now.
          if (table.find(id).isEmpty()) {
            return new Acquired.Gone();
          }
          continue;
        }
        Lease local = held.get(holder.get());
        if (local != null) {
          local.requestRelease();
        }
        asked = true;
      }
      if (System.nanoTime() > deadline) {
        return new Acquired.Busy();
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** Lets go of a lease; the upload is free for the next writer at once. */
  public void release(Lease lease) {
    held.remove(lease.token());
    table.release(lease.uploadId(), lease.token());
  }

  /** Forgets a lease whose row is gone (deleted under it). */
  public void forget(Lease lease) {
    held.remove(lease.token());
  }

  private void beat() {
    if (held.isEmpty()) {
      return;
    }
    long started = System.nanoTime();
    try {
      Map<String, Boolean> renewed = table.renew(held.keySet(), leaseMillis);
      for (Lease lease : held.values()) {
        Boolean releaseRequested = renewed.get(lease.token());
        if (releaseRequested == null) {
          // Taken over, unless it was acquired while this beat ran (then it was not yet there).
          if (lease.confirmedBefore(started)) {
            lease.lose();
          }
        } else {
          lease.renewed(releaseRequested);
        }
      }
    } catch (RuntimeException e) {
      // The database is away: leases age and writers stop on their own (Lease.usable).
      LOG.warn("upload lease heartbeat failed", e);
    }
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
  }
}
