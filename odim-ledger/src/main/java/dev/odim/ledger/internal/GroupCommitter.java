package dev.odim.ledger.internal;

import dev.odim.core.OdimException;
import dev.odim.core.db.Db;
import dev.odim.ledger.Transfer;
import dev.odim.ledger.TransferResult;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Group commit: callers queue their transfer requests; a writer thread takes everything queued
 * (whole requests, up to {@code maxBatchSize} transfers) and applies it in one database
 * transaction. While a batch commits, the next one gathers, so the batch size follows the load by
 * itself with no waiting added at low load. Several writers run batches side by side, so that the
 * database works on one batch while another is being validated, sent or committed; they lock in the
 * same global order, so they may wait for each other but never deadlock. If a batch fails as a
 * whole (which validation in memory is meant to prevent), each of its requests runs again alone, so
 * that a failure reaches only the caller it belongs to.
 */
final class GroupCommitter implements AutoCloseable {
  private record Request(
      List<Transfer> transfers, CompletableFuture<List<TransferResult>> result) {}

  private static final Request STOP = new Request(List.of(), new CompletableFuture<>());

  private final Db db;
  private final BatchApplier applier;
  private final Clock clock;
  private final int maxBatchSize;
  private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final List<Thread> writers = new ArrayList<>();
  private volatile boolean closed;

  GroupCommitter(
      Db db, BatchApplier applier, Clock clock, int maxBatchSize, int writerCount, String name) {
    this.db = db;
    this.applier = applier;
    this.clock = clock;
    this.maxBatchSize = maxBatchSize;
    for (int i = 0; i < writerCount; i++) {
      writers.add(Thread.ofPlatform().daemon().name(name + "-" + i).start(this::run));
    }
  }

  CompletableFuture<List<TransferResult>> submit(List<Transfer> transfers) {
    CompletableFuture<List<TransferResult>> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(new OdimException("the ledger is closed"));
      return result;
    }
    queue.add(new Request(List.copyOf(transfers), result));
    return result;
  }

  private void run() {
    List<Request> batch = new ArrayList<>();
    // A request taken from the queue that did not fit the previous batch starts the next one. The
    // queue is only ever polled, never peeked: with several writers, a peeked request may be taken
    // by another writer before this one polls (which once lost a request).
    Request carried = null;
    while (true) {
      Request first;
      if (carried != null) {
        first = carried;
        carried = null;
      } else {
        try {
          first = queue.take();
        } catch (InterruptedException e) {
          return;
        }
      }
      if (first == STOP) {
        // Pass the stop on to the next writer; every writer sees it once and leaves.
        queue.add(STOP);
        return;
      }
      batch.clear();
      batch.add(first);
      int size = first.transfers().size();
      while (size < maxBatchSize) {
        Request next = queue.poll();
        if (next == null) {
          break;
        }
        if (next == STOP || size + next.transfers().size() > maxBatchSize) {
          carried = next;
          break;
        }
        batch.add(next);
        size += next.transfers().size();
      }
      applyBatch(batch);
    }
  }

  private void applyBatch(List<Request> batch) {
    List<List<Transfer>> requests = new ArrayList<>(batch.size());
    for (Request request : batch) {
      requests.add(request.transfers());
    }
    try {
      List<List<TransferResult>> results = applyInTransaction(requests);
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result().complete(results.get(i));
      }
    } catch (RuntimeException | Error e) {
      // Errors too: a writer that died would leave every later caller waiting forever.
      if (batch.size() == 1) {
        batch.getFirst().result().completeExceptionally(e);
        return;
      }
      for (Request request : batch) {
        try {
          request.result().complete(applyInTransaction(List.of(request.transfers())).getFirst());
        } catch (RuntimeException | Error alone) {
          request.result().completeExceptionally(alone);
        }
      }
    }
  }

  private List<List<TransferResult>> applyInTransaction(List<List<Transfer>> requests) {
    return db.inTransaction(
        handle -> {
          try {
            return applier.apply(handle, requests, clock.instant());
          } catch (SQLException e) {
            throw new LedgerWriteException(e);
          }
        });
  }

  /** Answers what raced in after the writers left, so that no caller waits forever. */
  private void failRemaining() {
    Request left;
    while ((left = queue.poll()) != null) {
      if (left != STOP) {
        left.result().completeExceptionally(new OdimException("the ledger was closed"));
      }
    }
  }

  /** Lets queued batches finish, then stops the writer. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    queue.add(STOP);
    try {
      for (Thread writer : writers) {
        writer.join(TimeUnit.SECONDS.toMillis(30));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failRemaining();
  }
}
