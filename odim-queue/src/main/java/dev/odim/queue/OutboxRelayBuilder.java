package dev.odim.queue;

import dev.odim.core.OdimConfigException;
import dev.odim.queue.internal.JobValidator;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/** Configures an {@link OutboxRelay}; {@link #build()} validates every setting. */
public final class OutboxRelayBuilder {
  private final JobQueue outbox;
  private final JobQueue target;
  private String queue = "odim.relay";
  private int concurrency = 10;
  private Duration pollInterval = Duration.ofSeconds(1);

  OutboxRelayBuilder(JobQueue outbox, JobQueue target) {
    this.outbox = Objects.requireNonNull(outbox, "outbox");
    this.target = Objects.requireNonNull(target, "target");
  }

  /** The outbox queue that holds relay jobs; default {@code odim.relay}. */
  public OutboxRelayBuilder queue(String queue) {
    this.queue = Objects.requireNonNull(queue, "queue");
    return this;
  }

  /** How many jobs the relay forwards at once, 1 to 10,000; default 10. */
  public OutboxRelayBuilder concurrency(int concurrency) {
    this.concurrency = concurrency;
    return this;
  }

  /**
   * How long an idle relay waits before it looks at the outbox again, 10 ms to 1 min; default 1 s.
   * An outbox that announces new jobs (PostgreSQL's LISTEN/NOTIFY) wakes it sooner.
   */
  public OutboxRelayBuilder pollInterval(Duration pollInterval) {
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    return this;
  }

  /**
   * Validates the settings and builds a relay that is not yet forwarding ({@link
   * OutboxRelay#start()}).
   *
   * @throws OdimConfigException naming the first invalid setting
   */
  public OutboxRelay build() {
    if (!outbox.backend().supportsTransactions()) {
      throw new OdimConfigException(
          "outbox",
          "must be a queue whose backend enqueues inside a transaction (PostgreSQL), not "
              + outbox.backend().name());
    }
    try {
      // the one rule for queue names, that of enqueue
      new JobValidator(1024)
          .validated(NewJob.of(OutboxRelay.JOB_TYPE, "{}").id(UUID.randomUUID()).queue(queue));
    } catch (InvalidJobException e) {
      throw new OdimConfigException("queue", "is not a queue name (" + e.getMessage() + ")");
    }
    Worker worker =
        outbox
            .worker()
            .queue(queue)
            .handler(OutboxRelay.JOB_TYPE, OutboxRelay.forwardingTo(target))
            .concurrency(concurrency)
            .pollInterval(pollInterval)
            .build();
    return new OutboxRelay(outbox, queue, worker);
  }
}
