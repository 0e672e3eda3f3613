package dev.odim.queue.internal;

import dev.odim.queue.Attempt;
import dev.odim.queue.JobContext;
import dev.odim.queue.JobListener;
import dev.odim.queue.PermanentJobFailure;
import dev.odim.queue.Schedule;
import dev.odim.queue.internal.WorkerSettings.Registration;
import dev.odim.queue.spi.JobBackend;
import dev.odim.queue.spi.LeasedJob;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * One worker's threads: a fetcher that leases jobs while there are free slots, a virtual thread per
 * job (and one more that runs the handler under the job's timeout), a completer that writes
 * succeeded jobs' completions in batches, a heartbeat that extends every held lease, and a
 * scheduler that fires recurring schedules.
 *
 * <p>Every failure of a handler, including an {@link Error}, is caught on the job's own thread and
 * becomes a retry or a dead letter; failures of the backend itself are retried by the loops after a
 * pause, so no thrown exception ends a loop while the worker runs.
 */
public final class WorkerRuntime implements AutoCloseable {
  private static final int STACK_LINES = 8;

  private final WorkerSettings settings;
  private final JobBackend backend;
  private final Metrics metrics;

  /**
   * Jobs this worker may hold (running, prefetched); a lease takes one, a finished run frees it.
   */
  private final Semaphore slots;

  /** Jobs that may run at once: the concurrency. */
  private final Semaphore runSlots;

  private final Map<UUID, Running> running = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<LeasedJob> completions = new LinkedBlockingQueue<>();
  private final Map<String, Bucket> buckets = new HashMap<>();
  private final RandomGenerator random = RandomGenerator.getDefault();
  private final Object wakeLock = new Object();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicBoolean halted = new AtomicBoolean();
  private final ExecutorService jobThreads = Executors.newVirtualThreadPerTaskExecutor();

  /** The fetcher and the scheduler, stopped first; then the completer and the heartbeat. */
  private final List<Thread> leasing = new ArrayList<>();

  private final List<Thread> keeping = new ArrayList<>();
  private boolean woken;

  /**
   * Per schedule, the latest slot already fired by some instance or passed over; scheduler only.
   */
  private final Map<String, Instant> settledSlots = new HashMap<>();

  private @Nullable AutoCloseable subscription;
  private @Nullable Instant startedAt;

  /** A job this worker holds: its lease and, while the handler runs, the handler's future. */
  private static final class Running {
    final LeasedJob job;
    volatile @Nullable Future<?> handler;
    volatile boolean leaseLost;

    Running(LeasedJob job) {
      this.job = job;
    }
  }

  public WorkerRuntime(WorkerSettings settings) {
    this.settings = settings;
    this.backend = settings.backend();
    this.metrics =
        new Metrics(settings.meterRegistry(), backend, settings.queue(), settings.clock());
    this.slots = new Semaphore(settings.concurrency() + settings.prefetch());
    this.runSlots = new Semaphore(settings.concurrency());
    settings
        .rateLimits()
        .forEach(
            (type, limit) ->
                buckets.put(
                    type,
                    Bucket.builder()
                        .addLimit(
                            l ->
                                l.capacity(limit.permits())
                                    .refillGreedy(limit.permits(), limit.period()))
                        .build()));
  }

  public String workerId() {
    return settings.workerId();
  }

  public int held() {
    return running.size();
  }

  public void start() {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    startedAt = settings.clock().instant();
    try {
      subscription = backend.subscribe(settings.queue(), this::wake);
    } catch (RuntimeException e) {
      subscription = null; // polling still finds every job
    }
    if (!settings.handlers().isEmpty()) {
      leasing.add(loop("fetch", this::fetchOnce, stopping));
      // completions and heartbeats go on while close() waits for running jobs
      keeping.add(loop("complete", this::completeOnce, halted));
      keeping.add(loop("heartbeat", this::heartbeatOnce, halted));
    }
    if (!settings.schedules().isEmpty()) {
      leasing.add(loop("schedule", this::scheduleOnce, stopping));
    }
  }

  private Thread loop(String name, Step step, AtomicBoolean until) {
    return Thread.ofPlatform()
        .daemon()
        .name("odim-worker-" + settings.queue() + "-" + name)
        .start(
            () -> {
              while (!until.get()) {
                try {
                  step.run();
                } catch (InterruptedException e) {
                  return;
                } catch (RuntimeException e) {
                  metrics.backendError();
                  pause(settings.pollInterval());
                }
              }
            });
  }

  @FunctionalInterface
  private interface Step {
    void run() throws InterruptedException;
  }

  // ---- fetching -------------------------------------------------------------------------------

  private void fetchOnce() throws InterruptedException {
    slots.acquire();
    int free = 1 + slots.drainPermits();
    int wanted = Math.min(free, settings.fetchBatch());
    slots.release(free - wanted);
    List<LeasedJob> leased;
    try {
      leased =
          backend.lease(
              settings.queue(),
              wanted,
              settings.workerId(),
              settings.leaseDuration(),
              settings.clock().instant());
    } catch (RuntimeException e) {
      slots.release(wanted);
      throw e;
    }
    slots.release(wanted - leased.size());
    for (LeasedJob job : leased) {
      Running entry = new Running(job);
      running.put(job.id(), entry);
      jobThreads.execute(() -> run(entry));
    }
    if (leased.size() < wanted) {
      awaitWake(settings.pollInterval());
    }
  }

  private void wake() {
    synchronized (wakeLock) {
      woken = true;
      wakeLock.notifyAll();
    }
  }

  private void awaitWake(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (wakeLock) {
      while (!woken && !stopping.get()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(wakeLock, left);
      }
      woken = false;
    }
  }

  // ---- running one job ------------------------------------------------------------------------

  private void run(Running entry) {
    LeasedJob job = entry.job;
    JobContext context = job.context();
    boolean completionQueued = false;
    try {
      Registration registration = settings.handlers().get(job.type());
      if (registration == null) {
        String reason = "no handler for job type \"" + job.type() + "\" in this worker";
        backend.deadLetter(
            job, failure(job, "UnknownJobType", reason, null), reason, settings.clock().instant());
        metrics.deadLettered(job.type());
        listeners(l -> l.deadLettered(context, reason));
        return;
      }
      try {
        runSlots.acquire(); // a prefetched job waits here for its turn
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return; // close() hands the lease back
      }
      Outcome outcome;
      long began = System.nanoTime();
      try {
        listeners(l -> l.started(context));
        outcome = execute(entry, context, registration);
      } finally {
        runSlots.release();
      }
      Duration took = Duration.ofNanos(System.nanoTime() - began);
      metrics.ran(job.type(), took);
      if (outcome.failure == null) {
        if (registration.transactional() == null) {
          completionQueued = true;
          completions.add(job); // counted as succeeded when the batch is written
        } else if (outcome.completed) {
          metrics.succeeded(job.type());
        }
        if (outcome.completed) {
          listeners(l -> l.succeeded(context, took));
        }
        return;
      }
      if (entry.leaseLost) {
        return; // another worker holds the job now: its outcome is that worker's to record
      }
      if (stopping.get() && entry.handler != null && entry.handler.isCancelled()) {
        return; // interrupted by shutdown: close() hands the lease back
      }
      fail(job, context, outcome.failure);
    } catch (RuntimeException e) {
      metrics.backendError(); // the lease expires and the job runs again: nothing is lost
    } finally {
      // A succeeded job frees its slot at once but stays held (and heartbeated) until the batch
      // with its completion is written: holding the slot through the completion delay would cap
      // a worker at concurrency / delay jobs per second.
      if (!completionQueued) {
        running.remove(job.id());
      }
      slots.release();
    }
  }

  /** What a handler run came to: a failure, or success and whether it was recorded. */
  private record Outcome(@Nullable Throwable failure, boolean completed) {}

  private Outcome execute(Running entry, JobContext context, Registration registration) {
    LeasedJob job = entry.job;
    Duration timeout = job.timeout() != null ? job.timeout() : settings.defaultTimeout();
    boolean[] completed = {true};
    Future<?> future =
        jobThreads.submit(
            () -> {
              Bucket bucket = buckets.get(job.type());
              if (bucket != null) {
                bucket.asBlocking().consume(1);
              }
              if (registration.plain() != null) {
                registration.plain().handle(context);
              } else if (registration.transactional() != null) {
                completed[0] =
                    backend.completeInTransaction(
                        job,
                        handle -> registration.transactional().handle(context, handle),
                        settings.clock().instant());
              }
              return null;
            });
    entry.handler = future;
    try {
      future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return new Outcome(null, completed[0]);
    } catch (TimeoutException e) {
      future.cancel(true);
      return new Outcome(new TimeoutException("attempt exceeded its timeout of " + timeout), false);
    } catch (ExecutionException e) {
      return new Outcome(e.getCause() == null ? e : e.getCause(), false);
    } catch (CancellationException e) {
      return new Outcome(e, false); // by close() or a lost lease: run() leaves the job alone
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      return new Outcome(e, false);
    }
  }

  private void fail(LeasedJob job, JobContext context, Throwable error) {
    Instant now = settings.clock().instant();
    Attempt attempt =
        failure(job, error.getClass().getName(), error.getMessage(), stackSummary(error));
    boolean permanent = error instanceof PermanentJobFailure;
    if (permanent || job.attempt() >= job.maxAttempts()) {
      String reason =
          (permanent ? "permanent failure: " : "attempts exhausted (" + job.attempt() + "): ")
              + error.getClass().getSimpleName()
              + (error.getMessage() == null ? "" : ": " + error.getMessage());
      backend.deadLetter(job, attempt, reason, now);
      metrics.deadLettered(job.type());
      listeners(l -> l.deadLettered(context, reason));
    } else {
      Instant next = now.plus(job.backoff().delayAfter(job.attempt(), random));
      backend.retry(job, attempt, next);
      metrics.retried(job.type());
      listeners(l -> l.retryScheduled(context, error, next));
    }
  }

  private Attempt failure(
      LeasedJob job, String errorClass, @Nullable String message, @Nullable String stack) {
    return new Attempt(
        job.attempt(),
        job.startedAt(),
        settings.clock().instant(),
        settings.workerId(),
        errorClass,
        message == null ? null : truncate(message, 2_000),
        stack);
  }

  private static @Nullable String stackSummary(Throwable error) {
    StackTraceElement[] frames = error.getStackTrace();
    if (frames.length == 0) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(STACK_LINES, frames.length); i++) {
      out.append("at ").append(frames[i]).append('\n');
    }
    Throwable cause = error.getCause();
    if (cause != null && cause != error) {
      out.append("caused by ").append(cause.getClass().getName());
      if (cause.getMessage() != null) {
        out.append(": ").append(truncate(cause.getMessage(), 500));
      }
      out.append('\n');
    }
    return out.toString().stripTrailing();
  }

  private static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "...";
  }

  private void listeners(java.util.function.Consumer<JobListener> call) {
    for (JobListener listener : settings.listeners()) {
      try {
        call.accept(listener);
      } catch (RuntimeException e) {
        // a listener cannot fail a job (JobListener's contract)
      }
    }
  }

  // ---- completing in batches ------------------------------------------------------------------

  private void completeOnce() throws InterruptedException {
    LeasedJob first = completions.poll(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    if (first == null) {
      return;
    }
    if (!settings.completionDelay().isZero()) {
      Thread.sleep(settings.completionDelay());
    }
    List<LeasedJob> batch = new ArrayList<>();
    batch.add(first);
    completions.drainTo(batch, 999);
    flush(batch);
  }

  private void flush(List<LeasedJob> batch) {
    try {
      backend.complete(batch, settings.clock().instant());
      for (LeasedJob job : batch) {
        metrics.succeeded(job.type());
      }
    } finally {
      // on a backend failure the leases expire and the jobs run again (at-least-once)
      for (LeasedJob job : batch) {
        running.remove(job.id());
      }
    }
  }

  // ---- heartbeats -----------------------------------------------------------------------------

  private void heartbeatOnce() throws InterruptedException {
    Thread.sleep(settings.heartbeatInterval());
    List<LeasedJob> held = running.values().stream().map(r -> r.job).toList();
    if (held.isEmpty()) {
      return;
    }
    Set<UUID> lost =
        backend.heartbeat(held, settings.clock().instant().plus(settings.leaseDuration()));
    for (UUID id : lost) {
      Running entry = running.get(id);
      if (entry != null) {
        entry.leaseLost = true;
        Future<?> handler = entry.handler;
        if (handler != null) {
          handler.cancel(true); // another worker owns the job now; this run's result is void
        }
      }
    }
  }

  // ---- schedules ------------------------------------------------------------------------------

  private void scheduleOnce() throws InterruptedException {
    Instant now = settings.clock().instant();
    for (Schedule schedule : settings.schedules()) {
      Optional<Instant> slot = schedule.latestSlotAtOrBefore(now);
      if (slot.isEmpty() || slot.get().equals(settledSlots.get(schedule.name()))) {
        continue; // no slot yet, or this one is decided: ask the backend again at the next slot
      }
      Optional<Instant> last = backend.lastFired(schedule.name());
      boolean due =
          last.isPresent()
              ? slot.get().isAfter(last.get())
              : startedAt != null && !slot.get().isBefore(startedAt);
      if (due
          && backend.fireSchedule(schedule.name(), slot.get(), schedule.jobFor(slot.get()), now)) {
        metrics.scheduleFired(schedule.name());
      }
      settledSlots.put(schedule.name(), slot.get());
    }
    pause(Duration.ofMillis(Math.min(1_000, settings.pollInterval().toMillis())));
  }

  // ---- shutdown -------------------------------------------------------------------------------

  @Override
  public void close() {
    if (!started.get() || !stopping.compareAndSet(false, true)) {
      stopping.set(true);
      halted.set(true);
      jobThreads.shutdownNow();
      return;
    }
    wake();
    leasing.forEach(Thread::interrupt);
    long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
    while (!running.isEmpty() && System.nanoTime() < deadline) {
      pause(Duration.ofMillis(5));
    }
    halted.set(true);
    List<LeasedJob> unfinished = new ArrayList<>();
    for (Running entry : running.values()) {
      Future<?> handler = entry.handler;
      if (handler == null || handler.cancel(true)) {
        unfinished.add(entry.job);
      }
    }
    jobThreads.shutdownNow();
    try {
      jobThreads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drainCompletions();
    if (!unfinished.isEmpty()) {
      try {
        backend.release(unfinished, settings.clock().instant());
      } catch (RuntimeException e) {
        // the leases expire instead: the jobs run again, only later
      }
    }
    keeping.forEach(Thread::interrupt);
    for (Thread loop : List.of(leasing, keeping).stream().flatMap(List::stream).toList()) {
      try {
        loop.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (subscription != null) {
      try {
        subscription.close();
      } catch (Exception e) {
        // nothing left to notify
      }
    }
    metrics.close();
  }

  private void drainCompletions() {
    List<LeasedJob> batch = new ArrayList<>();
    completions.drainTo(batch);
    if (!batch.isEmpty()) {
      try {
        flush(batch);
      } catch (RuntimeException e) {
        // the leases expire and the jobs run again (at-least-once)
      }
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
