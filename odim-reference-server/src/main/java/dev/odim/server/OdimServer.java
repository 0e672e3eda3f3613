package dev.odim.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odim.core.ProblemException;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.crypto.BlindIndex;
import dev.odim.core.crypto.FieldCipher;
import dev.odim.core.crypto.KeyRing;
import dev.odim.core.db.DatabaseUrl;
import dev.odim.core.db.Db;
import dev.odim.core.idempotency.IdempotencyKeys;
import dev.odim.core.ratelimit.FailureBackoff;
import dev.odim.core.ratelimit.FallbackRateLimitStore;
import dev.odim.core.ratelimit.InMemoryRateLimitStore;
import dev.odim.core.ratelimit.RateLimitStore;
import dev.odim.core.ratelimit.RateLimiter;
import dev.odim.core.ratelimit.RatePolicy;
import dev.odim.core.ratelimit.RedisRateLimitStore;
import dev.odim.core.ratelimit.StoreHealth;
import dev.odim.ledger.Ledger;
import dev.odim.payments.Disputes;
import dev.odim.payments.FeePolicy;
import dev.odim.payments.PaymentJobs;
import dev.odim.payments.Payments;
import dev.odim.payments.Payouts;
import dev.odim.payments.Refunds;
import dev.odim.payments.paystack.PaystackClient;
import dev.odim.payments.reconciliation.Reconciliation;
import dev.odim.queue.JobQueue;
import dev.odim.queue.Worker;
import dev.odim.queue.postgres.PostgresBackend;
import dev.odim.server.internal.EmbeddedDatabase;
import dev.odim.server.internal.HttpMetrics;
import dev.odim.server.internal.JavalinHttp;
import dev.odim.server.internal.JettyProblems;
import dev.odim.server.internal.JsonBody;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.Problems;
import dev.odim.server.internal.Readiness;
import dev.odim.server.internal.RequestIds;
import dev.odim.server.internal.Routes;
import dev.odim.server.internal.ServerInstances;
import dev.odim.server.internal.ServerJson;
import dev.odim.server.internal.SimulatorMount;
import dev.odim.server.internal.account.AccountAudit;
import dev.odim.server.internal.account.AccountRoutes;
import dev.odim.server.internal.account.PasswordHasher;
import dev.odim.server.internal.account.Sessions;
import dev.odim.server.internal.account.UserKeyRotation;
import dev.odim.server.internal.account.Users;
import dev.odim.server.internal.admin.AdminRoutes;
import dev.odim.server.internal.content.UploadRoutes;
import dev.odim.server.internal.creator.ProfileRoutes;
import dev.odim.server.internal.creator.Profiles;
import dev.odim.server.internal.moneyout.AdminPaymentRoutes;
import dev.odim.server.internal.moneyout.MoneyOutEvents;
import dev.odim.server.internal.moneyout.PayoutRoutes;
import dev.odim.server.internal.openapi.ApiPage;
import dev.odim.server.internal.openapi.OpenApiDocument;
import dev.odim.server.internal.payment.CreatorAccounts;
import dev.odim.server.internal.payment.PaymentKeyRotation;
import dev.odim.server.internal.payment.PaymentRoutes;
import dev.odim.server.internal.payment.PayoutAccounts;
import dev.odim.server.internal.payment.PaystackConnection;
import dev.odim.server.internal.payment.PaystackSettlements;
import dev.odim.server.internal.payment.Renewals;
import dev.odim.server.internal.payment.SubscriptionRoutes;
import dev.odim.server.internal.payment.Subscriptions;
import dev.odim.server.internal.payment.Tiers;
import dev.odim.server.internal.reconciliation.ReconciliationRoutes;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.BodyReader;
import dev.odim.server.internal.web.ClientAddresses;
import dev.odim.server.internal.web.CsrfGuard;
import dev.odim.server.internal.web.Endpoint;
import dev.odim.server.internal.web.RateLimits;
import dev.odim.server.internal.web.RetryLaterException;
import dev.odim.server.internal.web.SecurityHeaders;
import dev.odim.webhooks.SigningSecrets;
import dev.odim.webhooks.Webhooks;
import dev.odim.webhooks.provider.Paystack;
import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running reference server: HTTP on virtual threads, its database and its metrics.
 *
 * <pre>{@code
 * ServerConfig config = ServerConfig.parse(List.of("--port", "0"), System.getenv());
 * try (OdimServer server = OdimServer.start(config)) {
 *   URI health = server.baseUri().resolve("/health/ready");
 * }
 * }</pre>
 *
 * <p>{@link #stop()} is graceful, and is what the shutdown hook of {@link Main} runs on SIGTERM:
 * the listener closes at once, requests in flight get up to {@link #DRAIN_TIMEOUT} to finish, then
 * the database pool closes and finally the embedded PostgreSQL, if any, stops.
 */
public final class OdimServer implements AutoCloseable {
  /** How long a graceful stop waits for requests in flight. */
  public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The secret key of the built-in Paystack simulator (DESIGN.md), used to verify webhooks when no
   * {@code PAYSTACK_SECRET_KEY} is set.
   */
  public static final String SIMULATOR_SECRET_KEY = "sk_test_odim_simulator";

  /** A session ends after this long without a request (OWASP: 15 to 30 minutes). */
  static final Duration SESSION_IDLE = Duration.ofMinutes(30);

  /** A session ends this long after login, however busy. */
  static final Duration SESSION_ABSOLUTE = Duration.ofHours(12);

  /** The platform's share of every payment: 10%. */
  static final int PLATFORM_FEE_BASIS_POINTS = 1000;

  /** How long the readiness probe waits for the database. */
  static final Duration READINESS_TIMEOUT = Duration.ofSeconds(1);

  /** Jetty's socket read size; see where the HTTP configuration is made. */
  private static final int INPUT_BUFFER_BYTES = 128 * 1024;

  private static final Logger log = LoggerFactory.getLogger(OdimServer.class);

  private final Javalin app;
  private final List<Endpoint> endpoints;
  private final Db db;
  private final Platform platform;
  private final @Nullable SimulatorMount simulator;
  private final @Nullable EmbeddedDatabase embedded;
  private final ServerInstances instances;
  private final UUID instanceId;
  private final String databaseDescription;
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gcMetrics;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  private OdimServer(
      Javalin app,
      List<Endpoint> endpoints,
      Db db,
      Platform platform,
      @Nullable SimulatorMount simulator,
      @Nullable EmbeddedDatabase embedded,
      ServerInstances instances,
      UUID instanceId,
      String databaseDescription,
      PrometheusMeterRegistry registry,
      JvmGcMetrics gcMetrics) {
    this.app = app;
    this.endpoints = endpoints;
    this.db = db;
    this.platform = platform;
    this.simulator = simulator;
    this.embedded = embedded;
    this.instances = instances;
    this.instanceId = instanceId;
    this.databaseDescription = databaseDescription;
    this.registry = registry;
    this.gcMetrics = gcMetrics;
  }

  /** Starts the server with the system clock and the production routes only. */
  public static OdimServer start(ServerConfig config) {
    return start(config, Clock.systemUTC(), routes -> {});
  }

  /**
   * Starts the server: database (embedded when {@code config} names none), migrations, then HTTP.
   * Returns once the server accepts requests.
   *
   * @param clock the time every record and decision of the server uses
   * @param extraRoutes adds routes next to the production ones; tests use it for routes that must
   *     fail or take time on purpose
   * @throws dev.odim.core.OdimConfigException when a setting turns out to be unusable
   * @throws dev.odim.core.db.DbUnavailableException when the database cannot be reached
   */
  public static OdimServer start(ServerConfig config, Clock clock, Consumer<Api> extraRoutes) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(extraRoutes, "extraRoutes");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JvmGcMetrics gcMetrics = bindJvmMetrics(registry);

    EmbeddedDatabase embedded = null;
    Db db = null;
    Platform platform = null;
    SimulatorMount simulator = null;
    try {
      DatabaseUrl url;
      String description;
      if (config.databaseUrl() == null) {
        embedded = EmbeddedDatabase.start(config.dataDirectory().resolve("postgres"));
        url = DatabaseUrl.parse(embedded.jdbcUrl());
        description = "embedded PostgreSQL, data in " + config.dataDirectory();
      } else {
        url = config.databaseUrl();
        description = "PostgreSQL at " + withoutQuery(url.jdbcUrl());
      }
      db = Db.builder(url).meterRegistry(registry).poolName("odim").build();
      db.migrate(ServerInstances.SCHEMA, ServerInstances.MIGRATIONS);
      ServerInstances instances = new ServerInstances(db, clock);
      UUID instanceId = instances.register(hostName(), ProcessHandle.current().pid(), version());
      platform = Platform.start(db, config, clock, registry);
      AtomicReference<Api> api = new AtomicReference<>();
      simulator = config.paystackSecretKey() == null ? new SimulatorMount() : null;
      Javalin app = createApp(config, db, platform, registry, simulator, api, extraRoutes);
      app.start();
      if (simulator != null) {
        simulator.start(clock, SIMULATOR_SECRET_KEY, app.port());
      }
      PaystackClient paystack = paystackClient(config, app.port(), registry);
      platform.paystack.use(paystack);
      platform.startPaymentWorker(paystack, registry);
      OdimServer server =
          new OdimServer(
              app,
              api.get().endpoints(),
              db,
              platform,
              simulator,
              embedded,
              instances,
              instanceId,
              description,
              registry,
              gcMetrics);
      log.info("Started instance {} on port {} ({})", instanceId, server.port(), description);
      return server;
    } catch (RuntimeException e) {
      if (simulator != null) {
        simulator.close();
      }
      if (platform != null) {
        platform.close();
      }
      if (db != null) {
        db.close();
      }
      if (embedded != null) {
        embedded.close();
      }
      gcMetrics.close();
      registry.close();
      throw e;
    }
  }

  /** The port the server listens on (the chosen one when started on port 0). */
  public int port() {
    return app.port();
  }

  /** The address to reach the server on this machine, e.g. {@code http://localhost:8080/}. */
  public URI baseUri() {
    return URI.create("http://localhost:" + port() + "/");
  }

  /** Every route the server answers, as declared: its access, body and limits. */
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  /** The database the server runs on, for hosts that embed the server and for tests. */
  public Db db() {
    return db;
  }

  /** Where the data lives, for the start-up line: embedded or which external PostgreSQL. */
  public String databaseDescription() {
    return databaseDescription;
  }

  /** Whether this server started its own PostgreSQL. */
  public boolean embeddedDatabase() {
    return embedded != null;
  }

  /**
   * Stops gracefully: closes the listener so new connections are refused, lets requests in flight
   * finish for up to {@link #DRAIN_TIMEOUT}, records the stop, closes the pool and then stops the
   * embedded PostgreSQL. Safe to call more than once and from a shutdown hook.
   */
  public void stop() {
    if (!stopping.compareAndSet(false, true)) {
      awaitStop();
      return;
    }
    try {
      log.info("Stopping: draining requests in flight (up to {} s)", DRAIN_TIMEOUT.toSeconds());
      app.stop();
      try {
        instances.markStopped(instanceId);
      } catch (RuntimeException e) {
        log.warn("Could not record the stop of instance {}", instanceId, e);
      }
      if (simulator != null) {
        simulator.close();
      }
      platform.close();
      db.close();
      if (embedded != null) {
        embedded.close();
      }
      gcMetrics.close();
      registry.close();
      log.info("Stopped");
    } finally {
      stopped.countDown();
    }
  }

  /** Blocks until {@link #stop()} has finished. */
  public void awaitStop() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  private static Javalin createApp(
      ServerConfig config,
      Db db,
      Platform platform,
      PrometheusMeterRegistry registry,
      @Nullable SimulatorMount simulator,
      AtomicReference<Api> apiHolder,
      Consumer<Api> extraRoutes) {
    ObjectMapper mapper = ServerJson.mapper();
    Problems problems = new Problems(mapper);
    HttpMetrics metrics = new HttpMetrics(registry);
    Readiness readiness = new Readiness(db, READINESS_TIMEOUT);
    Routes routes = new Routes();
    ClientAddresses clientAddresses =
        new ClientAddresses(config.trustedProxies().stream().map(IpRange::toString).toList());
    SecurityHeaders securityHeaders = new SecurityHeaders(platform.random);
    CsrfGuard csrf = new CsrfGuard(Sessions::hasCookie);
    RateLimits rateLimits =
        new RateLimits(
            platform.rateLimiter,
            config.rateLimit().enabled()
                ? RatePolicy.of(
                    "default", config.rateLimit().requests(), config.rateLimit().window())
                : null,
            Map.of(
                "POST /api/auth/login", RatePolicy.loginPerIp(),
                "POST /api/auth/signup", RatePolicy.signupPerIp()),
            clientAddresses);
    return Javalin.create(
        cfg -> {
          cfg.startup.showJavalinBanner = false;
          cfg.startup.showOldJavalinVersionWarning = false;
          cfg.concurrency.useVirtualThreads = true;
          cfg.http.prefer405over404 = true;
          cfg.http.maxRequestSize = JsonBody.DEFAULT_MAX_BYTES;
          cfg.jetty.port = config.port();
          cfg.jetty.modifyHttpConfiguration(
              http -> {
                // No version banners: they tell an attacker which advisories to try.
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
                // Uploads stream request bodies of up to gigabytes: read from the socket in 128
                // KiB instead of Jetty's 8 KiB, a sixteenth of the system calls and wake-ups per
                // byte. Jetty takes the buffer from its pool only while a read is in progress.
                http.setInputBufferSize(INPUT_BUFFER_BYTES);
              });
          cfg.jetty.modifyServer(
              server -> {
                // Jetty drains only with a stop timeout and a GracefulHandler that counts the
                // requests in flight; without them stop() cuts requests off mid-response.
                server.setStopTimeout(DRAIN_TIMEOUT.toMillis());
                server.insertHandler(new GracefulHandler());
                // What Jetty refuses before any route runs (a broken request line, headers too
                // large) is problem+json too.
                server.setErrorHandler(new JettyProblems(mapper));
              });
          cfg.jsonMapper(new JavalinJackson(mapper, true));
          Api api =
              new Api(
                  cfg.routes,
                  platform.sessions,
                  new BodyReader(mapper, platform.validator),
                  clientAddresses,
                  platform.idempotencyKeys);
          apiHolder.set(api);
          cfg.events.handlerAdded(
              added -> {
                api.checkDeclared(added.getHttpMethod(), added.getPath());
                routes.added(added.getHttpMethod(), added.getPath());
              });
          cfg.requestLogger.http(
              (ctx, millis) -> {
                metrics.record(ctx, millis);
                RequestIds.clear();
              });

          cfg.routes.before(RequestIds::assign);
          cfg.routes.before(clientAddresses::recordTransport);
          cfg.routes.before(securityHeaders::apply);
          cfg.routes.before(routes::attach);
          cfg.routes.before(rateLimits::apply);
          cfg.routes.before(csrf::check);
          // Core's ProblemException, so a problem thrown by any module renders the same way.
          cfg.routes.exception(
              RetryLaterException.class,
              (e, ctx) -> {
                e.headers().forEach(ctx::header);
                problems.handle(e, ctx);
              });
          cfg.routes.exception(ProblemException.class, problems::handle);
          cfg.routes.exception(HttpResponseException.class, problems::handle);
          cfg.routes.exception(Exception.class, problems::unexpected);

          api.get("/health/live")
              .summary("Liveness probe: the process answers")
              .tag("operations")
              .access(Access.PUBLIC)
              .handle(call -> call.ctx().json(Map.of("status", "live")));
          api.get("/health/ready")
              .summary("Readiness probe: 503 while the database does not answer")
              .tag("operations")
              .access(Access.PUBLIC)
              .handle(
                  call -> {
                    if (!readiness.ready()) {
                      throw ProblemCode.SERVICE_UNAVAILABLE.exception(
                          "The database does not answer within "
                              + READINESS_TIMEOUT.toMillis()
                              + " ms.");
                    }
                    call.ctx()
                        .json(readyBody(platform.rateLimiter.health(), config.redisUrl() != null));
                  });
          api.get("/metrics")
              .summary("Prometheus metrics")
              .tag("operations")
              .access(Access.PUBLIC)
              .handle(
                  call ->
                      call.ctx()
                          .contentType("text/plain; version=0.0.4; charset=utf-8")
                          .result(registry.scrape()));
          Handler paystackWebhooks = JavalinHttp.mount(platform.webhooks.endpoint(Paystack.NAME));
          api.post("/webhooks/paystack")
              .summary("Paystack's signed webhook deliveries; 200 once stored durably")
              .tag("webhooks")
              .access(Access.PUBLIC)
              .handle(call -> paystackWebhooks.handle(call.ctx()));
          platform.accounts.register(api);
          platform.admin.register(api);
          platform.profiles.register(api);
          platform.tiers.register(api);
          platform.paymentRoutes.register(api);
          platform.subscriptionRoutes.register(api);
          platform.payoutAccounts.register(api);
          platform.payoutRoutes.register(api);
          platform.adminPayments.register(api);
          platform.reconciliationRoutes.register(api);
          platform.uploads.register(api);
          if (simulator != null) {
            simulator.register(api);
          }
          extraRoutes.accept(api);
          // Described last, so the document names every route, these two included; built at
          // start-up, so a body record it cannot describe faithfully stops the server at once.
          AtomicReference<ObjectNode> openApi = new AtomicReference<>();
          api.get("/api/openapi.json")
              .summary("This API as an OpenAPI 3.1 document")
              .tag("reference")
              .access(Access.PUBLIC)
              .handle(
                  call ->
                      call.ctx()
                          .contentType("application/json")
                          .result(mapper.writeValueAsBytes(openApi.get())));
          api.get("/api/docs")
              .summary("This API as a readable page")
              .tag("reference")
              .access(Access.PUBLIC)
              .handle(
                  call ->
                      call.ctx()
                          .html(
                              new ApiPage(openApi.get())
                                  .render(call.ctx().attribute(SecurityHeaders.NONCE_ATTRIBUTE))));
          openApi.set(OpenApiDocument.build(api.endpoints(), mapper, version()));
        });
  }

  /**
   * The Paystack client: the real API with {@code PAYSTACK_SECRET_KEY} (at {@code
   * PAYSTACK_BASE_URL} when set), else the built-in simulator on this server's own port.
   */
  private static PaystackClient paystackClient(
      ServerConfig config, int port, PrometheusMeterRegistry registry) {
    PaystackClient.Builder client =
        PaystackClient.builder()
            .resilience(PaystackClient.resilienceDefaults().meterRegistry(registry).build());
    if (config.paystackSecretKey() == null) {
      return client
          .secretKey(SIMULATOR_SECRET_KEY)
          .baseUri(URI.create("http://127.0.0.1:" + port + SimulatorMount.BASE_PATH))
          .build();
    }
    client.secretKey(config.paystackSecretKey());
    if (config.paystackBaseUrl() != null) {
      client.baseUri(config.paystackBaseUrl());
    }
    return client.build();
  }

  private static Map<String, Object> readyBody(StoreHealth limiter, boolean redis) {
    if (!limiter.degraded()) {
      return Map.of(
          "status", "ready", "rateLimiter", redis ? "shared through Redis" : "in-process");
    }
    // Still ready: requests are limited per instance until Redis answers again.
    return Map.of(
        "status",
        "ready",
        "rateLimiter",
        "degraded to per-instance limits since " + limiter.since() + ": " + limiter.reason());
  }

  /**
   * The SDK modules the platform runs on: the job queue (PostgreSQL), webhook intake and the worker
   * that processes the inbox, the payments worker (payouts' transfers, refunds), tus uploads and
   * their clean-up worker, the audit log, field encryption, the rate limiter, accounts and
   * sessions. Closed in reverse order of start, before the database.
   */
  private static final class Platform implements AutoCloseable {
    final PostgresBackend backend;
    final Webhooks webhooks;
    final Worker webhookWorker;
    final Worker renewalWorker;
    final UploadRoutes uploads;
    final Worker uploadWorker;
    final RateLimitStore rateLimitStore;
    final RateLimiter rateLimiter;
    final ValidatorFactory validation;
    final Validator validator;
    final SecureRandom random;
    final Sessions sessions;
    final AccountRoutes accounts;
    final AdminRoutes admin;
    final ProfileRoutes profiles;
    final Tiers tiers;
    final PaymentRoutes paymentRoutes;
    final SubscriptionRoutes subscriptionRoutes;
    final PayoutAccounts payoutAccounts;
    final PayoutRoutes payoutRoutes;
    final AdminPaymentRoutes adminPayments;
    final ReconciliationRoutes reconciliationRoutes;
    final Payments payments;
    final Payouts payouts;
    final Refunds refunds;
    final JobQueue queue;
    final PaystackConnection paystack;
    final Ledger ledger;
    final IdempotencyKeys idempotencyKeys;
    final ScheduledExecutorService housekeeping;

    /**
     * Sends payouts' transfers and refunds; started once the Paystack client exists (it needs the
     * server's port when it talks to the built-in simulator).
     */
    private volatile @Nullable Worker paymentWorker;

    private volatile @Nullable Worker reconciliationWorker;

    private Platform(
        PostgresBackend backend,
        Webhooks webhooks,
        Worker webhookWorker,
        Worker renewalWorker,
        UploadRoutes uploads,
        Worker uploadWorker,
        RateLimitStore rateLimitStore,
        RateLimiter rateLimiter,
        ValidatorFactory validation,
        SecureRandom random,
        Sessions sessions,
        AccountRoutes accounts,
        AdminRoutes admin,
        ProfileRoutes profiles,
        Tiers tiers,
        PaymentRoutes paymentRoutes,
        SubscriptionRoutes subscriptionRoutes,
        PayoutAccounts payoutAccounts,
        PayoutRoutes payoutRoutes,
        AdminPaymentRoutes adminPayments,
        ReconciliationRoutes reconciliationRoutes,
        Payments payments,
        Payouts payouts,
        Refunds refunds,
        JobQueue queue,
        PaystackConnection paystack,
        Ledger ledger,
        IdempotencyKeys idempotencyKeys) {
      this.backend = backend;
      this.webhooks = webhooks;
      this.webhookWorker = webhookWorker;
      this.renewalWorker = renewalWorker;
      this.uploads = uploads;
      this.uploadWorker = uploadWorker;
      this.rateLimitStore = rateLimitStore;
      this.rateLimiter = rateLimiter;
      this.validation = validation;
      this.validator = validation.getValidator();
      this.random = random;
      this.sessions = sessions;
      this.accounts = accounts;
      this.admin = admin;
      this.profiles = profiles;
      this.tiers = tiers;
      this.paymentRoutes = paymentRoutes;
      this.subscriptionRoutes = subscriptionRoutes;
      this.payoutAccounts = payoutAccounts;
      this.payoutRoutes = payoutRoutes;
      this.adminPayments = adminPayments;
      this.reconciliationRoutes = reconciliationRoutes;
      this.payments = payments;
      this.payouts = payouts;
      this.refunds = refunds;
      this.queue = queue;
      this.paystack = paystack;
      this.ledger = ledger;
      this.idempotencyKeys = idempotencyKeys;
      // Stored answers are kept 24 hours; an hourly sweep keeps the table at a day's writes.
      this.housekeeping =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofVirtual().name("odim-housekeeping").factory());
      housekeeping.scheduleWithFixedDelay(this::purgeIdempotencyKeys, 1, 60, TimeUnit.MINUTES);
    }

    static Platform start(
        Db db, ServerConfig config, Clock clock, PrometheusMeterRegistry registry) {
      SecureRandom random = new SecureRandom();
      KeyRing keys = keyRing(config, random);
      AuditLog audit = AuditLog.builder(db).clock(clock).build();
      Ledger ledger = Ledger.builder(db).clock(clock).build();
      FieldCipher cipher = FieldCipher.of(keys);
      PostgresBackend backend = PostgresBackend.builder(db).clock(clock).build();
      JobQueue queue = JobQueue.builder(backend).clock(clock).build();
      Subscriptions subscriptions = new Subscriptions(clock, cipher, queue, audit);
      Payments payments =
          Payments.builder(db, ledger)
              .clock(clock)
              .fees(FeePolicy.basisPoints(PLATFORM_FEE_BASIS_POINTS))
              .fulfilment(subscriptions::fulfil)
              .build();
      PaystackSettlements settlements = new PaystackSettlements(payments, subscriptions, audit);
      Payouts payouts = Payouts.builder(payments, queue).build();
      Refunds refunds = Refunds.builder(payments, queue).build();
      Disputes disputes = Disputes.of(payments);
      MoneyOutEvents moneyOut = new MoneyOutEvents(payouts, refunds, disputes, audit);
      PaystackConnection paystack = new PaystackConnection();
      Webhooks webhooks = null;
      Worker worker = null;
      Worker renewalWorker = null;
      UploadRoutes uploads = null;
      Worker uploadWorker = null;
      RateLimitStore store = null;
      ValidatorFactory validation = null;
      try {
        String secret =
            config.paystackSecretKey() == null ? SIMULATOR_SECRET_KEY : config.paystackSecretKey();
        // charge.success settles; the money-out events move payouts, refunds and disputes. Other
        // events are stored, acknowledged and marked ignored, ready for replay.
        webhooks =
            moneyOut
                .register(
                    Webhooks.builder(db, queue)
                        .clock(clock)
                        .meterRegistry(registry)
                        .provider(Paystack.withSecrets(SigningSecrets.of(secret)))
                        .onIdempotent(
                            Paystack.NAME, "charge.success", settlements::onChargeSuccess))
                .build();
        worker = webhooks.worker().meterRegistry(registry).concurrency(10).start();
        store = rateLimitStore(config, clock);
        RateLimiter limiter = RateLimiter.builder().store(store).meterRegistry(registry).build();
        validation = Validation.buildDefaultValidatorFactory();
        BlindIndex emailIndex = BlindIndex.of(keys, "users.email", BlindIndex.EMAIL);
        Users users = new Users(db, clock, cipher, emailIndex);
        renewalWorker =
            queue
                .worker()
                .queue(Subscriptions.RENEWAL_QUEUE)
                .handler(
                    Subscriptions.RENEWAL_JOB,
                    new Renewals(db, payments, subscriptions, users, paystack, audit)::run)
                .meterRegistry(registry)
                .start();
        // Creators' uploads under ODIM_DATA/uploads; every 15 minutes, once across instances, the
        // queue's schedule removes expired uploads and orphaned files.
        uploads =
            UploadRoutes.start(db, clock, config.dataDirectory().resolve("uploads"), registry);
        uploadWorker = uploads.startWorker(queue, registry);
        if (keys.keys().size() > 1) {
          UserKeyRotation usersRotation = new UserKeyRotation(db, cipher, emailIndex);
          PaymentKeyRotation paymentsRotation = new PaymentKeyRotation(db, cipher);
          rotateInBackground(
              () -> {
                usersRotation.run();
                paymentsRotation.run();
              });
        }
        Sessions sessions = new Sessions(db, clock, random, SESSION_IDLE, SESSION_ABSOLUTE);
        Tiers tiers = new Tiers(db, clock, new CreatorAccounts(ledger));
        PayoutAccounts payoutAccounts = new PayoutAccounts(db, clock, cipher, audit, paystack);
        AccountRoutes accounts =
            new AccountRoutes(
                db,
                users,
                sessions,
                PasswordHasher.owaspDefault(),
                FailureBackoff.builder("login-account")
                    .store(store)
                    .meterRegistry(registry)
                    .build(),
                new AccountAudit(audit),
                random,
                registry);
        String adminEmail = config.adminEmail();
        String adminPassword = config.adminPassword();
        if (adminEmail != null
            && adminPassword != null
            && accounts.ensureAdmin(adminEmail, adminPassword)) {
          log.info("Created the first admin from ODIM_ADMIN_EMAIL");
        }
        return new Platform(
            backend,
            webhooks,
            worker,
            renewalWorker,
            uploads,
            uploadWorker,
            store,
            limiter,
            validation,
            random,
            sessions,
            accounts,
            new AdminRoutes(audit),
            new ProfileRoutes(new Profiles(db, clock, audit)),
            tiers,
            new PaymentRoutes(db, payments, tiers, subscriptions, users, random, paystack),
            new SubscriptionRoutes(db, subscriptions),
            payoutAccounts,
            new PayoutRoutes(db, ledger, payouts, payoutAccounts, audit),
            new AdminPaymentRoutes(db, payments, refunds, disputes, audit),
            new ReconciliationRoutes(db, queue, audit, registry),
            payments,
            payouts,
            refunds,
            queue,
            paystack,
            ledger,
            IdempotencyKeys.builder(db).clock(clock).build());
      } catch (RuntimeException e) {
        if (validation != null) {
          validation.close();
        }
        if (store != null) {
          closeQuietly(store);
        }
        if (uploadWorker != null) {
          uploadWorker.close();
        }
        if (uploads != null) {
          uploads.close();
        }
        if (renewalWorker != null) {
          renewalWorker.close();
        }
        if (worker != null) {
          worker.close();
        }
        if (webhooks != null) {
          webhooks.close();
        }
        backend.close();
        payments.close();
        ledger.close();
        throw e;
      }
    }

    /**
     * A key rotation is in progress while the ring holds older keys: move the users' data and the
     * payment secrets onto the active key without holding up start-up. Failures are logged; the
     * next start tries again.
     */
    private static void rotateInBackground(Runnable rotation) {
      Thread.ofVirtual()
          .name("odim-key-rotation")
          .start(
              () -> {
                try {
                  rotation.run();
                } catch (RuntimeException e) {
                  log.warn(
                      "Re-encryption after the key rotation stopped; it resumes at the next start",
                      e);
                }
              });
    }

    private static KeyRing keyRing(ServerConfig config, SecureRandom random) {
      if (!config.encryptionKeys().isEmpty()) {
        return KeyRing.of(config.encryptionKeys());
      }
      Path file = config.dataDirectory().resolve("encryption.keys");
      KeyRing.Loaded loaded = KeyRing.loadOrCreate(file, random);
      log.warn(
          "{} the encryption key in {} because ODIM_ENCRYPTION_KEYS is not set. Keep that file"
              + " safe (losing it loses the personal data) and set ODIM_ENCRYPTION_KEYS in"
              + " production, the same on every instance.",
          loaded.created() ? "Generated" : "Using",
          file);
      return loaded.keyRing();
    }

    private static RateLimitStore rateLimitStore(ServerConfig config, Clock clock) {
      InMemoryRateLimitStore local = InMemoryRateLimitStore.builder().clock(clock).build();
      if (config.redisUrl() == null) {
        return local;
      }
      // Shared across instances through Redis; per instance while Redis does not answer.
      return FallbackRateLimitStore.builder(
              RedisRateLimitStore.builder(config.redisUrl().toString()).build())
          .fallback(local)
          .clock(clock)
          .build();
    }

    private void purgeIdempotencyKeys() {
      try {
        idempotencyKeys.purgeExpired();
      } catch (RuntimeException e) {
        log.warn("Could not purge expired idempotency keys; the next sweep tries again", e);
      }
    }

    /**
     * Starts the workers of odim-payments' queued work and of reconciliation, calling Paystack
     * through {@code client}.
     */
    void startPaymentWorker(PaystackClient client, PrometheusMeterRegistry registry) {
      paymentWorker =
          new PaymentJobs(client, payouts, refunds)
              .register(queue.worker().queue(PaymentJobs.QUEUE))
              .meterRegistry(registry)
              .start();
      // Hourly on the hour, once across instances (the schedule's slot is the job's key); the
      // routes' listener counts runs and hears failures for the alerts page.
      Reconciliation engine =
          Reconciliation.builder(payments, client)
              .refunds(refunds)
              .listener(reconciliationRoutes)
              .build();
      reconciliationWorker =
          engine
              .register(queue.worker().queue(Reconciliation.QUEUE))
              .schedule(engine.hourly())
              .meterRegistry(registry)
              .start();
      reconciliationRoutes.use(engine);
    }

    @Override
    public void close() {
      housekeeping.shutdownNow();
      Worker reconciler = reconciliationWorker;
      if (reconciler != null) {
        reconciler.close();
      }
      Worker paymentJobs = paymentWorker;
      if (paymentJobs != null) {
        paymentJobs.close();
      }
      uploadWorker.close();
      uploads.close();
      renewalWorker.close();
      webhookWorker.close();
      webhooks.close();
      backend.close();
      closeQuietly(rateLimitStore);
      validation.close();
      payments.close(); // its queued settlements commit first
      ledger.close();
    }

    private static void closeQuietly(AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.warn("Could not close {}", closeable, e);
      }
    }
  }

  /** Binds the JVM meters; returns the GC meter binder, which holds listeners until closed. */
  private static JvmGcMetrics bindJvmMetrics(PrometheusMeterRegistry registry) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    return gc;
  }

  private static String withoutQuery(String jdbcUrl) {
    // The query may carry password=...; the start-up line must not.
    int q = jdbcUrl.indexOf('?');
    return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }

  private static String version() {
    String version = OdimServer.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
