package dev.odim.core.db;

import dev.odim.core.OdimConfigException;
import dev.odim.core.OdimException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.jdbi.v3.core.Handle;

/**
 * Group commit: many callers' small writes share one database transaction, so that a burst of
 * concurrent requests pays one commit (one fsync) instead of one each, and every caller still gets
 * its answer only after its write is durable.
 *
 * <p>Callers {@link #submit} requests; a writer thread takes everything queued (whole requests, up
 * to {@code maxBatchSize} by weight) and runs {@link Batch#apply} over them in one transaction.
 * While one batch commits, the next gathers, so the batch size follows the load by itself: at low
 * load a batch holds one request and adds no waiting. Several writers run batches side by side, so
 * the database works on one while another is prepared or committed. If a batch fails as a whole,
 * each of its requests runs again alone, so a failure reaches only the caller it belongs to.
 *
 * <pre>{@code
 * GroupCommit<Row, Long> inserts = GroupCommit.builder(db, (Handle h, List<Row> rows) -> insertAll(h, rows))
 *     .name("inbox-writer")
 *     .build();
 * long id = inserts.call(row);        // returns after the commit that made it durable
 * }</pre>
 *
 * @param <R> a request
 * @param <T> the result of one request
 */
public final class GroupCommit<R, T> implements AutoCloseable {

  /**
   * The work of one batch, in the transaction it commits in.
   *
   * @param <R> a request
   * @param <T> the result of one request
   */
  @FunctionalInterface
  public interface Batch<R, T> {
    /**
     * Applies every request and returns one result per request, in the same order. A request that
     * is refused for its own reasons should be answered with a result value, not an exception,
     * which would roll back its neighbours' work too (they are then run again one by one).
     */
    List<T> apply(Handle handle, List<R> requests) throws Exception;
  }

  private record Pending<R, T>(R request, int weight, CompletableFuture<T> result) {}

  private final Db db;
  private final Batch<R, T> batch;
  private final ToIntFunction<R> weight;
  private final int maxBatchSize;
  private final LinkedBlockingQueue<Pending<R, T>> queue = new LinkedBlockingQueue<>();
  private final Pending<R, T> stop;
  private final List<Thread> writers = new ArrayList<>();
  private volatile boolean closed;

  @SuppressWarnings("unchecked") // the stop marker's request is never read
  private GroupCommit(Builder<R, T> builder) {
    this.stop = new Pending<>((R) new Object(), 0, new CompletableFuture<>());
    this.db = builder.db;
    this.batch = builder.batch;
    this.weight = builder.weight;
    this.maxBatchSize = builder.maxBatchSize;
    for (int i = 0; i < builder.writers; i++) {
      writers.add(Thread.ofPlatform().daemon().name(builder.name + "-" + i).start(this::run));
    }
  }

  /** A group commit that runs {@code batch} over the requests it gathers, on {@code db}. */
  public static <R, T> Builder<R, T> builder(Db db, Batch<R, T> batch) {
    return new Builder<>(db, batch);
  }

  /**
   * Queues a request; the future completes after the transaction that applied it committed, or
   * exceptionally when it could not be applied.
   */
  public CompletableFuture<T> submit(R request) {
    Objects.requireNonNull(request, "request");
    CompletableFuture<T> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(new OdimException("the group commit is closed"));
      return result;
    }
    int w = weight.applyAsInt(request);
    if (w < 1) {
      throw new IllegalArgumentException("a request must weigh at least 1, was " + w);
    }
    queue.add(new Pending<>(request, w, result));
    return result;
  }

  /**
   * Queues a request and waits for its commit. A failure of the batch's work is rethrown as it was
   * thrown when it is unchecked, and wrapped in an {@link OdimException} otherwise.
   */
  public T call(R request) {
    try {
      return submit(request).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OdimException("interrupted while waiting for a group commit", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new OdimException("group commit failed: " + cause, cause);
    }
  }

  private void run() {
    List<Pending<R, T>> taken = new ArrayList<>();
    // A request taken from the queue that did not fit the previous batch starts the next one. The
    // queue is only ever polled, never peeked: with several writers, a peeked request may be taken
    // by another writer before this one polls.
    Pending<R, T> carried = null;
    while (true) {
      Pending<R, T> first;
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
      if (first == stop) {
        queue.add(stop); // every writer sees the stop once and leaves
        return;
      }
      taken.clear();
      taken.add(first);
      int size = first.weight();
      while (size < maxBatchSize) {
        Pending<R, T> next = queue.poll();
        if (next == null) {
          break;
        }
        if (next == stop || size + next.weight() > maxBatchSize) {
          carried = next;
          break;
        }
        taken.add(next);
        size += next.weight();
      }
      applyBatch(taken);
    }
  }

  private void applyBatch(List<Pending<R, T>> taken) {
    List<R> requests = new ArrayList<>(taken.size());
    for (Pending<R, T> pending : taken) {
      requests.add(pending.request());
    }
    try {
      List<T> results = applyInTransaction(requests);
      for (int i = 0; i < taken.size(); i++) {
        taken.get(i).result().complete(results.get(i));
      }
    } catch (RuntimeException | Error e) {
      // Errors too: a writer that died would leave every later caller waiting forever.
      if (taken.size() == 1) {
        taken.getFirst().result().completeExceptionally(unwrap(e));
        return;
      }
      for (Pending<R, T> pending : taken) {
        try {
          pending.result().complete(applyInTransaction(List.of(pending.request())).getFirst());
        } catch (RuntimeException | Error alone) {
          pending.result().completeExceptionally(unwrap(alone));
        }
      }
    }
  }

  private List<T> applyInTransaction(List<R> requests) {
    List<T> results =
        db.inTransaction(
            handle -> {
              try {
                return batch.apply(handle, requests);
              } catch (RuntimeException e) {
                throw e;
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            });
    if (results.size() != requests.size()) {
      throw new IllegalStateException(
          "a batch must answer each of its "
              + requests.size()
              + " requests, answered "
              + results.size());
    }
    return results;
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  /** Lets queued batches finish, then stops the writers; later submits fail at once. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    queue.add(stop);
    try {
      for (Thread writer : writers) {
        writer.join(TimeUnit.SECONDS.toMillis(30));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Pending<R, T> left;
    while ((left = queue.poll()) != null) {
      if (left != stop) {
        left.result().completeExceptionally(new OdimException("the group commit was closed"));
      }
    }
  }

  /**
   * Settings of a {@link GroupCommit}; every one is validated by {@link #build()}.
   *
   * @param <R> a request
   * @param <T> the result of one request
   */
  public static final class Builder<R, T> {
    private final Db db;
    private final Batch<R, T> batch;
    private ToIntFunction<R> weight = request -> 1;
    private int maxBatchSize = 1_000;
    private int writers = 2;
    private String name = "odim-group-commit";

    private Builder(Db db, Batch<R, T> batch) {
      this.db = Objects.requireNonNull(db, "db");
      this.batch = Objects.requireNonNull(batch, "batch");
    }

    /**
     * How much of a batch one request takes (e.g. the rows it writes); default 1 each. A request
     * heavier than {@link #maxBatchSize} runs in a batch of its own.
     */
    public Builder<R, T> weight(ToIntFunction<R> weight) {
      this.weight = Objects.requireNonNull(weight, "weight");
      return this;
    }

    /**
     * The most weight one transaction takes, 1 to 1,000,000; default 1,000. Larger batches pay less
     * per request but hold their locks longer.
     */
    public Builder<R, T> maxBatchSize(int maxBatchSize) {
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    /**
     * How many batches may be in flight at once, 1 to 64; default 2 (one being committed while the
     * next is written). Each writer holds one pooled connection while it works.
     */
    public Builder<R, T> writers(int writers) {
      this.writers = writers;
      return this;
    }

    /** The prefix of the writer threads' names; default {@code odim-group-commit}. */
    public Builder<R, T> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Validates the settings and starts the writers. */
    public GroupCommit<R, T> build() {
      if (maxBatchSize < 1 || maxBatchSize > 1_000_000) {
        throw new OdimConfigException(
            "maxBatchSize", "must be 1 to 1,000,000, was " + maxBatchSize);
      }
      if (writers < 1 || writers > 64) {
        throw new OdimConfigException("writers", "must be 1 to 64, was " + writers);
      }
      if (name.isBlank()) {
        throw new OdimConfigException("name", "must not be blank");
      }
      return new GroupCommit<>(this);
    }
  }
}
