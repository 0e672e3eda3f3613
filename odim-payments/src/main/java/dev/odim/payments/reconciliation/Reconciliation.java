package dev.odim.payments.reconciliation;

import dev.odim.core.OdimConfigException;
import dev.odim.payments.Payments;
import dev.odim.payments.Refunds;
import dev.odim.payments.paystack.PaystackClient;
import dev.odim.payments.reconciliation.internal.Discrepancies;
import dev.odim.payments.reconciliation.internal.Engine;
import dev.odim.queue.Backoff;
import dev.odim.queue.JobContext;
import dev.odim.queue.JobQueue;
import dev.odim.queue.NewJob;
import dev.odim.queue.Schedule;
import dev.odim.queue.WorkerBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Matches Paystack's transactions and transfers against our payment intents and payouts, repairs
 * what is safe, checks each creator's ledger balance, and keeps the rest as discrepancies for a
 * person.
 *
 * <pre>{@code
 * Reconciliation reconciliation = Reconciliation.builder(payments, paystack)
 *     .refunds(refunds)                        // lets a person resolve a discrepancy by refunding
 *     .listener(alerts)                        // hears failed runs: the "job failure" alert
 *     .build();
 * Worker worker = reconciliation.register(queue.worker().queue(Reconciliation.QUEUE))
 *     .schedule(reconciliation.hourly())      // each hour once, however many instances run
 *     .start();
 * RunRecord run = reconciliation.runNow();    // on demand
 * }</pre>
 *
 * <p>A run covers a window (by default the last 25 hours, so hourly runs overlap and a record is
 * judged more than once). It copies the provider's pages into PostgreSQL one at a time (memory
 * holds one page), pairs them with ours by reference in SQL, and classifies each pair ({@link
 * Category}). A pair pending (or failed, or abandoned) here and paid at the provider is settled
 * through {@link Payments#settle} with source {@code reconciliation}, the same path as the webhook,
 * so a webhook arriving meanwhile cannot count it twice; one pending here and failed or abandoned
 * there is marked so. Everything else that disagrees becomes a {@link Discrepancy} with both sides'
 * evidence and a suggested action. Runs are recorded with their window, counts, repairs, duration
 * and outcome; a failed run keeps its progress and the next attempt resumes it. Immutable and
 * thread-safe.
 */
public final class Reconciliation {
  /** The job type of a run. */
  public static final String RUN_JOB = "odim.payments.reconciliation.run";

  /** The queue the run jobs are enqueued on; a worker of this queue runs them. */
  public static final String QUEUE = "reconciliation";

  private static final String ON_DEMAND = "{\"trigger\":\"manual\"}";

  private final Engine engine;
  private final Discrepancies discrepancies;
  private final Duration window;
  private final Payments payments;
  private final Backoff retryBackoff;

  private Reconciliation(Builder b) {
    this.payments = b.payments;
    this.retryBackoff = b.retryBackoff;
    this.window = b.window;
    this.engine =
        new Engine(
            b.payments,
            b.paystack,
            b.ledgerSchema,
            b.rules,
            b.pageSize,
            b.parallelism,
            b.lease,
            b.listener);
    this.discrepancies = new Discrepancies(b.payments, b.refunds);
  }

  /** Starts configuring reconciliation of {@code payments} against {@code paystack}. */
  public static Builder builder(Payments payments, PaystackClient paystack) {
    return new Builder(payments, paystack);
  }

  // ---- runs ----

  /**
   * Runs over the default window ending now, in this thread, and answers the run as recorded (a
   * failed one too: see {@link RunRecord#status()} and {@link RunRecord#error()}).
   */
  public RunRecord runNow() {
    Instant to = now();
    return run(to.minus(window), to);
  }

  /** Runs over {@code [from, to)} in this thread; see {@link #runNow()}. */
  public RunRecord run(Instant from, Instant to) {
    checkWindow(from, to);
    return engine.run("manual:" + UUID.randomUUID(), RunTrigger.MANUAL, from, to).run();
  }

  /**
   * Classifies the default window ending now and reports what a run would record and repair,
   * writing nothing to any table (the provider's pages go to a temporary table).
   */
  public RunRecord dryRun() {
    Instant to = now();
    return dryRun(to.minus(window), to);
  }

  /** A dry run over {@code [from, to)}; see {@link #dryRun()}. */
  public RunRecord dryRun(Instant from, Instant to) {
    checkWindow(from, to);
    return engine.dryRun(from, to);
  }

  /**
   * Enqueues a run on demand as a job of {@link #QUEUE} and answers the job's id; {@link
   * #runOfJob(UUID)} finds the run once a worker started it. Use this from an HTTP route, where a
   * run of a large window should not hold the request.
   */
  public UUID enqueueRun(JobQueue queue) {
    return queue.enqueue(runJob().payload(ON_DEMAND).id(UUID.randomUUID())).jobId();
  }

  /** The run a job of {@link #RUN_JOB} started (scheduled or {@link #enqueueRun enqueued}). */
  public Optional<RunRecord> runOfJob(UUID jobId) {
    return engine.runs().byKey(jobKey(jobId));
  }

  /** The run with this id. */
  public Optional<RunRecord> findRun(UUID id) {
    return engine.runs().byId(id);
  }

  /** A page of runs, newest first ({@code RunQuery.all().status(RunStatus.FAILED)} for alerts). */
  public RunPage runs(RunQuery query) {
    return engine.runs().list(query);
  }

  /** This instance's counts of runs and repairs, to meter. */
  public RunCounters counters() {
    long[] c = engine.counters();
    return new RunCounters(c[0], c[1], c[2]);
  }

  // ---- scheduling ----

  /**
   * Registers the run handler on {@code worker}, which must consume {@link #QUEUE}. A job's run is
   * keyed by the job's id: the queue's retry of a failed run resumes it, and two jobs cannot run
   * one window twice.
   */
  public WorkerBuilder register(WorkerBuilder worker) {
    return worker.handler(RUN_JOB, this::runJob);
  }

  /** Every hour on the hour (UTC), once across every worker that carries it. */
  public Schedule hourly() {
    return Schedule.cron(
        "odim.payments.reconciliation.hourly", "0 * * * *", ZoneOffset.UTC, runJob());
  }

  private NewJob runJob() {
    // A run of a large window takes tens of seconds; the worker's default timeout may be shorter.
    return NewJob.of(RUN_JOB, "{}")
        .queue(QUEUE)
        .timeout(Duration.ofMinutes(30))
        .backoff(retryBackoff);
  }

  private void runJob(JobContext job) {
    Instant to = now();
    // the payload may come back re-formatted (jsonb), so look for the value, not the text
    RunTrigger trigger = job.payload().contains("manual") ? RunTrigger.MANUAL : RunTrigger.SCHEDULE;
    Engine.Outcome outcome = engine.run(jobKey(job.id()), trigger, to.minus(window), to);
    RunRecord run = outcome.run();
    if (run.status() == RunStatus.FAILED) {
      throw new ReconciliationException(
          "reconciliation run " + run.id() + " failed: " + run.error());
    }
    if (run.status() == RunStatus.RUNNING) {
      // Another attempt holds the run's lease (a previous attempt of this job that is still
      // running, or died): try again once the lease has run out, and resume it then.
      throw new ReconciliationException("reconciliation run " + run.id() + " is running elsewhere");
    }
  }

  private static String jobKey(UUID jobId) {
    return "job:" + jobId;
  }

  // ---- discrepancies ----

  /** A page of discrepancies, newest first. */
  public DiscrepancyPage discrepancies(DiscrepancyQuery query) {
    return discrepancies.list(query);
  }

  /** The discrepancy with this id. */
  public Optional<Discrepancy> findDiscrepancy(UUID id) {
    return discrepancies.find(id);
  }

  /**
   * Takes {@code resolution}'s step and closes the discrepancy, in one transaction, if it is still
   * open at {@code expectedVersion} (the ETag the caller read): {@link ResolveResult.Conflict} when
   * it changed meanwhile, {@link ResolveResult.AlreadyResolved} for a repeat of the step that
   * closed it. {@code settle} settles through {@link Payments#settle} (source {@code admin});
   * {@code refund} requests a full refund through {@link Refunds}.
   */
  public ResolveResult resolve(UUID id, Resolution resolution, int expectedVersion) {
    return discrepancies.resolve(id, resolution, expectedVersion);
  }

  private void checkWindow(Instant from, Instant to) {
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException(
          "the window must end after it starts: " + from + ", " + to);
    }
  }

  private Instant now() {
    return payments.clock().instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** Configures {@link Reconciliation}; {@link #build()} validates. */
  public static final class Builder {
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final Payments payments;
    private final PaystackClient paystack;
    private @Nullable Refunds refunds;
    private String ledgerSchema = "odim_ledger";
    private MatchingRules rules = MatchingRules.defaults();
    private int pageSize = 100;
    private int parallelism = 4;
    private Duration window = Duration.ofHours(25);
    private Duration lease = Duration.ofMinutes(5);
    private ReconciliationListener listener = ReconciliationListener.NONE;
    private Backoff retryBackoff =
        Backoff.exponential(Duration.ofMinutes(1), Duration.ofMinutes(15));

    private Builder(Payments payments, PaystackClient paystack) {
      this.payments = Objects.requireNonNull(payments, "payments");
      this.paystack = Objects.requireNonNull(paystack, "paystack");
    }

    /** Lets a person resolve a discrepancy by refunding the payment; without it they cannot. */
    public Builder refunds(Refunds refunds) {
      this.refunds = Objects.requireNonNull(refunds, "refunds");
      return this;
    }

    /** The ledger's schema, read by the drift check; default {@code odim_ledger}. */
    public Builder ledgerSchema(String ledgerSchema) {
      this.ledgerSchema = Objects.requireNonNull(ledgerSchema, "ledgerSchema");
      return this;
    }

    /** How records are paired and judged; default {@link MatchingRules#defaults()}. */
    public Builder rules(MatchingRules rules) {
      this.rules = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /** Provider records per page, 1 to 100 (Paystack's maximum); default 100. */
    public Builder pageSize(int pageSize) {
      this.pageSize = pageSize;
      return this;
    }

    /**
     * How many provider pages are fetched, and how many repairs made, at once; 1 to 32, default 4.
     * Paystack answers a page in a few hundred milliseconds, so a window of a thousand pages needs
     * several in flight; each holds a database connection while it writes.
     */
    public Builder parallelism(int parallelism) {
      this.parallelism = parallelism;
      return this;
    }

    /** How far back a run looks; default 25 hours, so that hourly runs overlap. */
    public Builder window(Duration window) {
      this.window = Objects.requireNonNull(window, "window");
      return this;
    }

    /**
     * How long a run may go without progress before another attempt takes it over; default 5
     * minutes. Renewed with every page.
     */
    public Builder lease(Duration lease) {
      this.lease = Objects.requireNonNull(lease, "lease");
      return this;
    }

    /**
     * The waits before a failed run's job is tried again; default from 1 to 15 minutes, so a run
     * that failed is resumed well before the next hour's.
     */
    public Builder retryBackoff(Backoff retryBackoff) {
      this.retryBackoff = Objects.requireNonNull(retryBackoff, "retryBackoff");
      return this;
    }

    /** Hears every run's outcome (not dry runs'); default none. */
    public Builder listener(ReconciliationListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * @throws OdimConfigException naming the first invalid setting
     */
    public Reconciliation build() {
      if (!SCHEMA.matcher(ledgerSchema).matches()) {
        throw new OdimConfigException(
            "ledgerSchema", "must be a lowercase SQL identifier, was \"" + ledgerSchema + "\"");
      }
      if (pageSize < 1 || pageSize > 100) {
        throw new OdimConfigException("pageSize", "must be 1 to 100, was " + pageSize);
      }
      if (parallelism < 1 || parallelism > 32) {
        throw new OdimConfigException("parallelism", "must be 1 to 32, was " + parallelism);
      }
      if (window.isNegative() || window.isZero()) {
        throw new OdimConfigException("window", "must be positive, was " + window);
      }
      if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new OdimConfigException("lease", "must be at least a second, was " + lease);
      }
      return new Reconciliation(this);
    }
  }
}
