package dev.odim.uploads.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** {@code odim_uploads_total{outcome}}: what happened to uploads, one count per event. */
public final class UploadMeters {
  private final Counter created;
  private final Counter completed;
  private final Counter terminated;
  private final Counter expired;
  private final Counter refused;

  public UploadMeters(MeterRegistry registry) {
    created = counter(registry, "created");
    completed = counter(registry, "completed");
    terminated = counter(registry, "terminated");
    expired = counter(registry, "expired");
    refused = counter(registry, "refused");
  }

  private static Counter counter(MeterRegistry registry, String outcome) {
    return Counter.builder("odim.uploads")
        .description("Uploads by what happened to them")
        .tag("outcome", outcome)
        .register(registry);
  }

  void created() {
    created.increment();
  }

  void completed() {
    completed.increment();
  }

  void terminated() {
    terminated.increment();
  }

  public void expired() {
    expired.increment();
  }

  void refused() {
    refused.increment();
  }
}
