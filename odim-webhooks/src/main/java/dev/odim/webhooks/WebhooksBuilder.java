package dev.odim.webhooks;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.queue.JobQueue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of {@link Webhooks}; {@link #build()} validates every one, applies the migrations and
 * freezes them.
 */
public final class WebhooksBuilder {
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,53}");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

  final Db db;
  final JobQueue queue;
  String schema = "odim_webhooks";
  Clock clock = Clock.systemUTC();
  final Map<String, WebhookProvider> providers = new LinkedHashMap<>();
  final Map<String, SourceIpAllowList> allowLists = new LinkedHashMap<>();
  final Map<String, WebhookHandler> handlers = new LinkedHashMap<>();
  final Map<String, IdempotentWebhookHandler> idempotentHandlers = new LinkedHashMap<>();
  String jobQueue = "webhooks";
  int maxBodyBytes = 1 << 20;
  int maxAttempts = 3;
  Duration retryWindow = Duration.ofHours(24);
  int writers = 2;
  int maxBatchSize = 1_000;
  MeterRegistry meterRegistry = new CompositeMeterRegistry();
  boolean migrate = true;

  WebhooksBuilder(Db db, JobQueue queue) {
    this.db = Objects.requireNonNull(db, "db");
    this.queue = Objects.requireNonNull(queue, "queue");
  }

  /**
   * The PostgreSQL schema of the inbox; default {@code odim_webhooks}. The queue must be able to
   * enqueue in the same database transaction (the PostgreSQL backend, or the outbox that feeds a
   * Redis backend through {@code OutboxRelay}).
   */
  public WebhooksBuilder schema(String schema) {
    this.schema = Objects.requireNonNull(schema, "schema");
    return this;
  }

  /** The clock for receipt times, signature tolerances and key rotation windows. */
  public WebhooksBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** Accepts deliveries from {@code provider}, under its {@link WebhookProvider#name()}. */
  public WebhooksBuilder provider(WebhookProvider provider) {
    Objects.requireNonNull(provider, "provider");
    if (providers.putIfAbsent(provider.name(), provider) != null) {
      throw new OdimConfigException("provider", "\"" + provider.name() + "\" is registered twice");
    }
    return this;
  }

  /**
   * Accepts {@code provider}'s deliveries only from the addresses of {@code allowList} (off by
   * default: signatures are what proves a delivery's origin; the list is a second fence).
   */
  public WebhooksBuilder sourceAllowList(String provider, SourceIpAllowList allowList) {
    allowLists.put(
        Objects.requireNonNull(provider, "provider"), Objects.requireNonNull(allowList, "list"));
    return this;
  }

  /**
   * Processes {@code provider}'s events of {@code type} with {@code handler}. Events of a type no
   * handler is registered for are stored and marked {@link InboxStatus#IGNORED}.
   */
  public WebhooksBuilder on(String provider, String type, WebhookHandler handler) {
    Objects.requireNonNull(handler, "handler");
    String key = Webhooks.handlerKey(provider, type);
    if (handlers.putIfAbsent(key, handler) != null) {
      throw new OdimConfigException("handler", "two handlers for " + provider + " " + type);
    }
    return this;
  }

  /**
   * Processes {@code provider}'s events of {@code type} with {@code handler} outside the inbox's
   * transactions (see {@link IdempotentWebhookHandler} for the contract: it may run more than once
   * for one event). For handlers that wait on something of their own, such as a group commit, and
   * should not hold a pooled connection meanwhile.
   */
  public WebhooksBuilder onIdempotent(
      String provider, String type, IdempotentWebhookHandler handler) {
    Objects.requireNonNull(handler, "handler");
    // Registered as an ordinary handler too: an event queued as an ordinary job (before an
    // upgrade, or replayed) runs it inside the job's transaction, which is also correct.
    on(provider, type, (event, handle) -> handler.handle(event));
    idempotentHandlers.put(Webhooks.handlerKey(provider, type), handler);
    return this;
  }

  /** The job queue events are processed from; default {@code webhooks}. */
  public WebhooksBuilder jobQueue(String jobQueue) {
    this.jobQueue = Objects.requireNonNull(jobQueue, "jobQueue");
    return this;
  }

  /** The largest body accepted, 1 KiB to 64 MiB; default 1 MiB. Larger ones get 413. */
  public WebhooksBuilder maxBodyBytes(int maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
    return this;
  }

  /**
   * How often processing is tried before an event goes to the dead letters, and the time over which
   * the retries spread; default 3 attempts over 24 hours (2 to 20 attempts, at least 1 s).
   */
  public WebhooksBuilder retries(int maxAttempts, Duration window) {
    this.maxAttempts = maxAttempts;
    this.retryWindow = Objects.requireNonNull(window, "window");
    return this;
  }

  /**
   * Group commit of the inbox: how many batches may commit at once (1 to 16, default 2) and the
   * most deliveries in one transaction (1 to 10,000, default 1,000).
   */
  public WebhooksBuilder groupCommit(int writers, int maxBatchSize) {
    this.writers = writers;
    this.maxBatchSize = maxBatchSize;
    return this;
  }

  /**
   * Where {@code odim_webhooks_received_total}, {@code odim_auth_failures_total} and {@code
   * odim_webhook_backlog} go.
   */
  public WebhooksBuilder meterRegistry(MeterRegistry meterRegistry) {
    this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
    return this;
  }

  /** Whether {@link #build()} applies the inbox's migrations; default true. */
  public WebhooksBuilder migrate(boolean migrate) {
    this.migrate = migrate;
    return this;
  }

  /**
   * Validates the settings, applies the migrations and starts the inbox's writers.
   *
   * @throws OdimConfigException naming the first invalid setting
   */
  public Webhooks build() {
    if (!SCHEMA.matcher(schema).matches()) {
      throw new OdimConfigException(
          "schema", "must be a lowercase SQL identifier of at most 54 characters, was " + schema);
    }
    if (providers.isEmpty()) {
      throw new OdimConfigException("provider", "register at least one provider");
    }
    for (String name : providers.keySet()) {
      if (!NAME.matcher(name).matches()) {
        throw new OdimConfigException(
            "provider", "a name must be [a-z][a-z0-9_-]{0,31}, was \"" + name + "\"");
      }
    }
    for (String provider : allowLists.keySet()) {
      if (!providers.containsKey(provider)) {
        throw new OdimConfigException("sourceAllowList", "no provider named " + provider);
      }
    }
    for (String key : handlers.keySet()) {
      String provider = key.substring(0, key.indexOf(' '));
      if (!providers.containsKey(provider)) {
        throw new OdimConfigException("handler", "no provider named " + provider);
      }
    }
    if (maxBodyBytes < 1024 || maxBodyBytes > (64 << 20)) {
      throw new OdimConfigException("maxBodyBytes", "must be 1 KiB to 64 MiB, was " + maxBodyBytes);
    }
    if (maxAttempts < 2 || maxAttempts > 20 || retryWindow.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new OdimConfigException(
          "retries",
          "need 2 to 20 attempts over at least 1 s, was " + maxAttempts + " over " + retryWindow);
    }
    if (writers < 1 || writers > 16 || maxBatchSize < 1 || maxBatchSize > 10_000) {
      throw new OdimConfigException(
          "groupCommit",
          "needs 1 to 16 writers and batches of 1 to 10,000, was "
              + writers
              + " writers, "
              + maxBatchSize);
    }
    if (jobQueue.isBlank()) {
      throw new OdimConfigException("jobQueue", "must not be blank");
    }
    if (migrate) {
      db.migrate(schema, "db/migration/odim_webhooks");
    }
    return new Webhooks(this);
  }
}
