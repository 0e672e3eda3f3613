package dev.odim.webhooks.internal;

import dev.odim.core.db.Db;
import dev.odim.webhooks.InboxStatus;
import dev.odim.webhooks.Receipt;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The module's meters ({@code odim_webhooks_received_total} by provider and outcome, {@code
 * odim_auth_failures_total}, {@code odim_webhook_backlog}) and its throttled log of signature
 * failures: a flood of forged deliveries must not flood the log, so at most one line per provider
 * every {@value #LOG_EVERY_MS} ms, saying how many were suppressed. Bodies are never logged.
 */
public final class WebhookMeters implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("dev.odim.webhooks");
  private static final long LOG_EVERY_MS = 60_000;

  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastLogged = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> suppressed = new ConcurrentHashMap<>();
  private final List<Gauge> gauges = new ArrayList<>();

  public WebhookMeters(MeterRegistry registry, Db db, Inbox inbox, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    gauges.add(
        Gauge.builder(
                "odim_webhook_backlog",
                db,
                d -> {
                  try {
                    return d.inTransaction(inbox::backlog);
                  } catch (RuntimeException e) {
                    return Double.NaN; // the database is down: unknown, not zero
                  }
                })
            .description("Stored webhook events waiting for processing")
            .register(registry));
  }

  public void accepted(String provider, Receipt receipt) {
    String outcome =
        switch (receipt) {
          case Receipt.Duplicate d -> "duplicate";
          case Receipt.Stored s when s.status() == InboxStatus.IGNORED -> "ignored";
          case Receipt.Stored s -> "stored";
        };
    received(provider, outcome);
  }

  public void refused(String provider, String code) {
    received(provider, code);
  }

  private void received(String provider, String outcome) {
    counters
        .computeIfAbsent(
            provider + " " + outcome,
            k ->
                Counter.builder("odim_webhooks_received_total")
                    .description("Webhook deliveries by provider and outcome")
                    .tag("provider", provider)
                    .tag("outcome", outcome)
                    .register(registry))
        .increment();
  }

  public void signatureFailure(String provider, String reason) {
    counters
        .computeIfAbsent(
            "auth " + provider,
            k ->
                Counter.builder("odim_auth_failures_total")
                    .description("Refused credentials: logins, sessions, webhook signatures")
                    .tag("kind", "webhook_signature")
                    .tag("provider", provider)
                    .register(registry))
        .increment();
    long now = clock.millis();
    AtomicLong last = lastLogged.computeIfAbsent(provider, p -> new AtomicLong());
    AtomicLong skipped = suppressed.computeIfAbsent(provider, p -> new AtomicLong());
    long previous = last.get();
    if (now - previous >= LOG_EVERY_MS && last.compareAndSet(previous, now)) {
      long more = skipped.getAndSet(0);
      LOG.warn(
          "refused a {} webhook: {}{}",
          provider,
          reason,
          more == 0 ? "" : " (and " + more + " more since the last report)");
    } else {
      skipped.incrementAndGet();
    }
  }

  @Override
  public void close() {
    gauges.forEach(registry::remove);
  }
}
