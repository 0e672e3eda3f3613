package dev.odim.testkit.paystack.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odim.testkit.paystack.Faults;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Sends webhooks the way Paystack does: a POST of {@code {"event", "data"}} signed with {@code
 * x-paystack-signature} (hex HMAC-SHA512 of the raw body under the secret key), tried again on
 * {@link RetrySchedule}'s schedule until the receiver answers 200. The schedule runs in compressed
 * time: one Paystack minute lasts {@code minute} here.
 *
 * <p>Faults are decided when an event is published: dropped (never sent, recorded), duplicated (two
 * deliveries of the same body, each retried on its own), delayed, or held with others for a short
 * window and released shuffled. During an outage no attempt is made; waiting deliveries resume when
 * it ends, without counting the wait as attempts.
 */
final class WebhookSender implements AutoCloseable {
  private static final Duration OUTAGE_POLL = Duration.ofMillis(20);
  private static final int REORDER_BATCH = 8;
  private static final int STATE_LIMIT = 500;

  private final @Nullable URI target;
  private final SecretKeySpec key;
  private final Clock clock;
  private final Duration minute;
  private final Duration reorderWindow;
  private final Duration timeout;
  private final Random random;
  private final Supplier<Faults> faults;
  private final ScheduledExecutorService timer;
  private final ExecutorService workers;
  private final HttpClient http;

  private final Object lock = new Object();
  private final List<Delivery> deliveries = new ArrayList<>();
  private final List<Delivery> held = new ArrayList<>();
  private long nextId = 1;
  private volatile boolean closed;

  WebhookSender(
      @Nullable URI target,
      String secretKey,
      Clock clock,
      Duration minute,
      Duration reorderWindow,
      Duration timeout,
      Random random,
      Supplier<Faults> faults) {
    this.target = target;
    this.key = new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA512");
    this.clock = clock;
    this.minute = minute;
    this.reorderWindow = reorderWindow;
    this.timeout = timeout;
    this.random = random;
    this.faults = faults;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("paystack-sim-webhook-timer").factory());
    this.workers =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("paystack-sim-webhook-", 0).factory());
    this.http = HttpClient.newBuilder().connectTimeout(timeout).executor(workers).build();
  }

  /** The hex HMAC-SHA512 of {@code body} under the secret key: Paystack's signature. */
  String sign(byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA512");
      mac.init(key);
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA512 is not available", e);
    }
  }

  /** Publishes {@code event} about the object named {@code subject} (a reference or code). */
  void publish(String event, ObjectNode data, String subject) {
    ObjectNode envelope = Json.object();
    envelope.put("event", event);
    envelope.set("data", data);
    byte[] body = Json.bytes(envelope);
    String signature = sign(body);
    Faults f = faults.get();
    List<Delivery> now = new ArrayList<>();
    boolean flushLater = false;
    synchronized (lock) {
      if (target == null) {
        deliveries.add(new Delivery(nextId++, event, subject, body, signature, null, "no_target"));
        return;
      }
      if (random.nextDouble() < f.webhookDropRate()) {
        deliveries.add(new Delivery(nextId++, event, subject, body, signature, null, "dropped"));
        return;
      }
      int copies = random.nextDouble() < f.webhookDuplicateRate() ? 2 : 1;
      Long first = null;
      for (int i = 0; i < copies; i++) {
        Delivery d =
            new Delivery(
                nextId++,
                event,
                subject,
                body,
                signature,
                first,
                f.webhookReorder() ? "held" : "scheduled");
        first = first == null ? d.id : first;
        deliveries.add(d);
        if (f.webhookReorder()) {
          held.add(d);
          flushLater |= held.size() == 1;
        } else {
          now.add(d);
        }
      }
      if (held.size() >= REORDER_BATCH) {
        now.addAll(releaseHeld());
      }
    }
    if (flushLater) {
      later(reorderWindow, this::flushHeld);
    }
    if (!now.isEmpty()) {
      later(Duration.ofMillis(f.webhookDelayMs()), () -> firstAttempts(now));
    }
  }

  private void flushHeld() {
    List<Delivery> batch;
    synchronized (lock) {
      batch = releaseHeld();
    }
    if (!batch.isEmpty()) {
      later(Duration.ofMillis(faults.get().webhookDelayMs()), () -> firstAttempts(batch));
    }
  }

  /** Takes the held deliveries in a shuffled order that differs from the order they came in. */
  private List<Delivery> releaseHeld() {
    List<Delivery> batch = new ArrayList<>(held);
    held.clear();
    if (batch.size() > 1) {
      List<Delivery> original = List.copyOf(batch);
      Collections.shuffle(batch, random);
      if (batch.equals(original)) {
        Collections.rotate(batch, 1);
      }
    }
    for (Delivery d : batch) {
      d.status = "scheduled";
    }
    return batch;
  }

  /** First attempts one after another, so that a shuffled batch really arrives in its order. */
  private void firstAttempts(List<Delivery> batch) {
    for (Delivery d : batch) {
      attempt(d);
    }
  }

  private void attempt(Delivery d) {
    if (closed) {
      return;
    }
    if (faults.get().outage()) {
      synchronized (lock) {
        d.status = "paused";
      }
      later(OUTAGE_POLL, () -> attempt(d));
      return;
    }
    Instant at = clock.instant();
    int status = 0;
    String error = null;
    try {
      HttpRequest request =
          HttpRequest.newBuilder(java.util.Objects.requireNonNull(target))
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .header("x-paystack-signature", d.signature)
              .header("User-Agent", "Odim-Paystack-Simulator")
              .POST(HttpRequest.BodyPublishers.ofByteArray(d.body))
              .build();
      status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException | RuntimeException e) {
      error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    Optional<Duration> next;
    synchronized (lock) {
      d.attempts.add(new Attempt(at, status, error));
      if (status == 200) {
        d.status = "delivered";
        return;
      }
      next = RetrySchedule.delayAfter(d.attempts.size());
      if (next.isEmpty()) {
        d.status = "failed";
        d.nextAttemptAt = null;
        return;
      }
      d.status = "retrying";
      d.nextAttemptAt = at.plus(next.get());
    }
    later(RetrySchedule.compress(next.get(), minute), () -> attempt(d));
  }

  /** Runs {@code task} on a virtual thread after {@code delay} (real time). */
  private void later(Duration delay, Runnable task) {
    if (closed) {
      return;
    }
    try {
      timer.schedule(
          () -> {
            try {
              workers.execute(task);
            } catch (RejectedExecutionException e) {
              // closed meanwhile
            }
          },
          delay.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  /** What has been sent, dropped and is still waiting, for {@code GET /_control/state}. */
  ObjectNode state() {
    ObjectNode n = Json.object();
    synchronized (lock) {
      n.put("webhookUrl", target == null ? null : target.toString());
      long sent = 0;
      long attempts = 0;
      long dropped = 0;
      long pending = 0;
      long failed = 0;
      for (Delivery d : deliveries) {
        attempts += d.attempts.size();
        switch (d.status) {
          case "delivered" -> sent++;
          case "dropped" -> dropped++;
          case "failed" -> failed++;
          case "no_target" -> {}
          default -> pending++;
        }
      }
      n.put("events", deliveries.stream().filter(d -> d.duplicateOf == null).count());
      n.put("sent", sent);
      n.put("attempts", attempts);
      n.put("dropped", dropped);
      n.put("pending", pending);
      n.put("failed", failed);
      ArrayNode list = n.putArray("deliveries");
      for (Delivery d :
          deliveries.subList(Math.max(0, deliveries.size() - STATE_LIMIT), deliveries.size())) {
        list.add(d.view());
      }
    }
    return n;
  }

  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    workers.shutdownNow();
    http.shutdownNow();
  }

  private record Attempt(Instant at, int status, @Nullable String error) {}

  /** One delivery of one event's body; a duplicated event has two. Mutable under the lock. */
  private static final class Delivery {
    final long id;
    final String event;
    final String subject;
    final byte[] body;
    final String signature;
    final @Nullable Long duplicateOf;
    final List<Attempt> attempts = new ArrayList<>();
    String status;
    @Nullable Instant nextAttemptAt;

    Delivery(
        long id,
        String event,
        String subject,
        byte[] body,
        String signature,
        @Nullable Long duplicateOf,
        String status) {
      this.id = id;
      this.event = event;
      this.subject = subject;
      this.body = body;
      this.signature = signature;
      this.duplicateOf = duplicateOf;
      this.status = status;
    }

    ObjectNode view() {
      ObjectNode n = Json.object();
      n.put("id", id);
      n.put("event", event);
      n.put("subject", subject);
      n.put("status", status);
      if (duplicateOf == null) {
        n.putNull("duplicateOf");
      } else {
        n.put("duplicateOf", duplicateOf);
      }
      Json.putTime(n, "nextAttemptAt", nextAttemptAt);
      ArrayNode list = n.putArray("attempts");
      for (Attempt a : attempts) {
        ObjectNode attempt = list.addObject();
        Json.putTime(attempt, "at", a.at());
        if (a.status() == 0) {
          attempt.putNull("status");
        } else {
          attempt.put("status", a.status());
        }
        attempt.put("error", a.error());
      }
      return n;
    }
  }
}
