package dev.odim.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.odim.core.Ids;
import dev.odim.core.db.Db;
import dev.odim.core.db.GroupCommit;
import dev.odim.queue.Backoff;
import dev.odim.queue.JobQueue;
import dev.odim.queue.NewJob;
import dev.odim.queue.WorkerBuilder;
import dev.odim.webhooks.internal.Dispatcher;
import dev.odim.webhooks.internal.Inbox;
import dev.odim.webhooks.internal.JsonFactories;
import dev.odim.webhooks.internal.WebhookMeters;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Webhook intake that never loses an event. A delivery is verified (signature, optionally source
 * address), stored in the inbox under a unique (provider, event key) together with the job that
 * will process it, and only then acknowledged; a re-delivery of a stored event is acknowledged and
 * counted, never processed again. Concurrent deliveries share one commit (group commit), so a burst
 * costs one fsync per batch, not one per delivery.
 *
 * <pre>{@code
 * Webhooks webhooks = Webhooks.builder(db, queue)
 *     .provider(Paystack.withSecrets(SigningSecrets.of(secretKey)))
 *     .on("paystack", "charge.success", (event, handle) -> payments.settle(handle, event))
 *     .build();
 * server.post("/webhooks/paystack", webhooks.endpoint("paystack"));   // any HttpHandler host
 * Worker worker = webhooks.worker().concurrency(20).start();          // processes the inbox
 * }</pre>
 */
public final class Webhooks implements AutoCloseable {

  /** The job type of an event's processing job. */
  public static final String JOB_TYPE = "odim.webhook";

  /**
   * The job type of an event whose handler is an {@link IdempotentWebhookHandler}: a plain job, so
   * that the handler runs with no transaction open.
   */
  public static final String IDEMPOTENT_JOB_TYPE = "odim.webhook.idempotent";

  /** Headers never stored with a delivery: they may carry a caller's credentials. */
  private static final Set<String> UNSTORED_HEADERS =
      Set.of("authorization", "proxy-authorization", "cookie");

  private final Db db;
  private final JobQueue queue;
  private final Clock clock;
  private final Map<String, WebhookProvider> providers;
  private final Map<String, SourceIpAllowList> allowLists;
  private final Map<String, WebhookHandler> handlers;
  private final Map<String, IdempotentWebhookHandler> idempotentHandlers;
  private final String jobQueue;
  private final int maxBodyBytes;
  private final int maxAttempts;
  private final Backoff backoff;
  private final ObjectMapper json = JsonMapper.builder(JsonFactories.pooled()).build();
  private final Ids ids;
  private final Inbox inbox;
  private final WebhookMeters meters;
  private final GroupCommit<Inbox.Incoming, Receipt> writes;
  private final WebhookAdmin admin;
  private final Map<PayloadKey, String> payloads = new ConcurrentHashMap<>();

  private record PayloadKey(String provider, @Nullable String type) {}

  Webhooks(WebhooksBuilder builder) {
    this.db = builder.db;
    this.queue = builder.queue;
    this.clock = builder.clock;
    this.ids = new Ids(builder.clock);
    this.providers = Map.copyOf(builder.providers);
    this.allowLists = Map.copyOf(builder.allowLists);
    this.handlers = Map.copyOf(builder.handlers);
    this.idempotentHandlers = Map.copyOf(builder.idempotentHandlers);
    this.jobQueue = builder.jobQueue;
    this.maxBodyBytes = builder.maxBodyBytes;
    this.maxAttempts = builder.maxAttempts;
    this.backoff = Backoff.spread(builder.maxAttempts, builder.retryWindow);
    this.inbox = new Inbox(builder.schema, json);
    this.meters = new WebhookMeters(builder.meterRegistry, db, inbox, builder.clock);
    this.writes =
        GroupCommit.<Inbox.Incoming, Receipt>builder(
                db, (handle, batch) -> inbox.store(handle, batch, queue, clock.instant()))
            .writers(builder.writers)
            .maxBatchSize(builder.maxBatchSize)
            .name("odim-webhooks-inbox")
            .build();
    this.admin = new WebhookAdmin(db, queue, inbox, this::jobFor);
  }

  public static WebhooksBuilder builder(Db db, JobQueue queue) {
    return new WebhooksBuilder(db, queue);
  }

  /**
   * The HTTP endpoint for {@code provider}'s deliveries, to mount at e.g. {@code POST
   * /webhooks/paystack}.
   *
   * @throws IllegalArgumentException when no provider has that name
   */
  public WebhookEndpoint endpoint(String provider) {
    requireProvider(provider);
    return new WebhookEndpoint(this, provider, maxBodyBytes, json, meters);
  }

  /**
   * Verifies, stores and queues one delivery, and returns once it is durable. Refusals (a bad
   * signature, a source outside the allow-list) are values and write nothing.
   *
   * @throws IllegalArgumentException when no provider has that name
   * @throws WebhookException when the database could not store it (answer 503: the provider
   *     delivers it again later)
   */
  public Intake receive(String provider, WebhookDelivery delivery) {
    WebhookProvider source = requireProvider(provider);
    SourceIpAllowList allowList = allowLists.get(provider);
    if (allowList != null
        && !allowList.allows(delivery.remoteAddress(), delivery.headerValues("X-Forwarded-For"))) {
      meters.refused(provider, "source_not_allowed");
      return new Intake.Refused(
          403, "source_not_allowed", "Deliveries are accepted only from the provider's addresses.");
    }
    Instant now = clock.instant();
    Verification verification = source.verify(delivery, now);
    if (verification instanceof Verification.Rejected rejected) {
      meters.refused(provider, "invalid_signature");
      meters.signatureFailure(provider, rejected.reason());
      return new Intake.Refused(
          401, "invalid_signature", "The webhook signature is missing or does not match.");
    }
    Receipt receipt;
    try {
      receipt = writes.call(incoming(provider, source.parse(delivery), delivery, now));
    } catch (RuntimeException e) {
      throw new WebhookException("the inbox could not store a " + provider + " delivery", e);
    }
    meters.accepted(provider, receipt);
    return new Intake.Accepted(receipt);
  }

  private Inbox.Incoming incoming(
      String provider, ParsedEvent parsed, WebhookDelivery delivery, Instant now) {
    UUID id = ids.next();
    String type = parsed instanceof ParsedEvent.Event event ? event.type() : null;
    String ordering = parsed instanceof ParsedEvent.Event event ? event.orderingKey() : null;
    boolean handled = type == null || handlers.containsKey(handlerKey(provider, type));
    // An unparseable body is queued too: its job sends it to the dead letters with the reason.
    InboxStatus status = handled ? InboxStatus.RECEIVED : InboxStatus.IGNORED;
    NewJob job = handled ? jobFor(id, provider, type, ordering) : null;
    return new Inbox.Incoming(
        id,
        provider,
        parsed.key(),
        type,
        ordering,
        status,
        headersJson(delivery),
        delivery.body(),
        now,
        job);
  }

  private NewJob jobFor(UUID id, String provider, String type, String orderingKey) {
    // The payload names only the provider and the type, so every event of one handled type has
    // the same one: written once (there are as many as handlers, plus one per provider for events
    // without a type), not once per delivery. Other types (an admin replay) are written each time.
    String payload =
        type == null || handlers.containsKey(handlerKey(provider, type))
            ? payloads.computeIfAbsent(new PayloadKey(provider, type), k -> payload(provider, type))
            : payload(provider, type);
    boolean idempotent = type != null && idempotentHandlers.containsKey(handlerKey(provider, type));
    return NewJob.of(idempotent ? IDEMPOTENT_JOB_TYPE : JOB_TYPE, payload)
        .id(id)
        .queue(jobQueue)
        .orderingKey(orderingKey == null ? null : provider + ":" + orderingKey)
        .maxAttempts(maxAttempts)
        .backoff(backoff);
  }

  private String payload(String provider, @Nullable String type) {
    Map<String, String> payload = new TreeMap<>();
    payload.put("provider", provider);
    if (type != null) {
      payload.put("type", type);
    }
    return write(payload);
  }

  /**
   * The stored headers as a JSON object of lower-case names to their values. Written out rather
   * than through Jackson's map serializer, which cost about a tenth of a request's CPU in the
   * endpoint (JFR, ./odim bench webhooks). The delivery's headers are already merged without regard
   * to case and sorted that way, so the lower-cased names come out unique and sorted.
   */
  private static String headersJson(WebhookDelivery delivery) {
    StringBuilder out = new StringBuilder(256).append('{');
    delivery
        .headers()
        .forEach(
            (name, values) -> {
              String lower = name.toLowerCase(Locale.ROOT);
              if (UNSTORED_HEADERS.contains(lower)) {
                return;
              }
              if (out.length() > 1) {
                out.append(',');
              }
              quote(out, lower).append(":[");
              for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                  out.append(',');
                }
                quote(out, values.get(i));
              }
              out.append(']');
            });
    return out.append('}').toString();
  }

  /** Appends {@code text} as a JSON string, escaped as RFC 8259 requires. */
  private static StringBuilder quote(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"');
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("headers and job payloads are plain strings", e);
    }
  }

  /**
   * A worker builder for the inbox's job queue with the dispatch handler registered; set its
   * concurrency and start it. Run it in every instance that should process events.
   */
  public WorkerBuilder worker() {
    Dispatcher dispatcher =
        new Dispatcher(
            db, inbox, providers, handlers, idempotentHandlers, clock, Webhooks::handlerKey);
    return queue
        .worker()
        .queue(jobQueue)
        .transactionalHandler(JOB_TYPE, dispatcher)
        .handler(IDEMPOTENT_JOB_TYPE, dispatcher::handleOutsideTransaction)
        .listener(dispatcher);
  }

  /** Listing, inspection and replay of stored events. */
  public WebhookAdmin admin() {
    return admin;
  }

  private WebhookProvider requireProvider(String provider) {
    WebhookProvider source = providers.get(provider);
    if (source == null) {
      throw new IllegalArgumentException("no webhook provider named \"" + provider + "\"");
    }
    return source;
  }

  static String handlerKey(String provider, String type) {
    return provider + " " + type;
  }

  /** Lets queued deliveries commit, then stops the inbox's writers. */
  @Override
  public void close() {
    writes.close();
    meters.close();
  }
}
