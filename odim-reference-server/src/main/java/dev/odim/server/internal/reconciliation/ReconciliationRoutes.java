package dev.odim.server.internal.reconciliation;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.odim.core.Problem;
import dev.odim.core.audit.AuditEvent;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.audit.Outcome;
import dev.odim.core.db.Db;
import dev.odim.payments.reconciliation.Category;
import dev.odim.payments.reconciliation.Discrepancy;
import dev.odim.payments.reconciliation.DiscrepancyPage;
import dev.odim.payments.reconciliation.DiscrepancyQuery;
import dev.odim.payments.reconciliation.DiscrepancyStatus;
import dev.odim.payments.reconciliation.Reconciliation;
import dev.odim.payments.reconciliation.ReconciliationListener;
import dev.odim.payments.reconciliation.Resolution;
import dev.odim.payments.reconciliation.ResolveResult;
import dev.odim.payments.reconciliation.RunPage;
import dev.odim.payments.reconciliation.RunQuery;
import dev.odim.payments.reconciliation.RunRecord;
import dev.odim.payments.reconciliation.RunStatus;
import dev.odim.queue.JobQueue;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.RequestIds;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.Call;
import dev.odim.server.internal.web.Idempotency;
import dev.odim.server.internal.web.Role;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET|POST /api/admin/reconciliation/runs}, {@code GET /api/admin/discrepancies[/{id}]},
 * {@code POST /api/admin/discrepancies/{id}/resolve} and {@code GET /api/admin/alerts}, admins
 * only.
 *
 * <p>The {@link Reconciliation} needs the Paystack client, which exists only once the server
 * listens (it may talk to the built-in simulator on the server's own port), so the routes are given
 * it by {@link #use} then; until then they answer 503. A resolution is audited in the same
 * transaction as nothing else: odim-payments commits it itself, so the entry follows it (a refusal
 * is audited as a {@code FAILURE}).
 */
public final class ReconciliationRoutes implements ReconciliationListener {
  private static final int MAX_LIMIT = 100;

  private final Db db;
  private final JobQueue queue;
  private final AuditLog audit;
  private volatile @Nullable Reconciliation reconciliation;
  private final Counter succeeded;
  private final Counter failed;

  public ReconciliationRoutes(Db db, JobQueue queue, AuditLog audit, MeterRegistry registry) {
    this.db = db;
    this.queue = queue;
    this.audit = audit;
    this.succeeded = runs(registry, "succeeded");
    this.failed = runs(registry, "failed");
  }

  private static Counter runs(MeterRegistry registry, String outcome) {
    return Counter.builder("odim_reconciliation_runs")
        .description("Reconciliation runs finished by this instance, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  /** Serves the routes with {@code engine} from now on. */
  public void use(Reconciliation engine) {
    this.reconciliation = engine;
  }

  @Override
  public void succeeded(RunRecord run) {
    succeeded.increment();
  }

  @Override
  public void failed(RunRecord run, Throwable error) {
    failed.increment();
  }

  /** {@code POST /api/admin/reconciliation/runs}: a window (both or neither) and a dry run. */
  public record RunRequest(
      @Nullable Instant from, @Nullable Instant to, @Nullable Boolean dryRun) {}

  /** A run as admins see it; a queued run not started yet has only its job id. */
  public record RunView(
      @Nullable String id,
      @Nullable String jobId,
      @Nullable String trigger,
      boolean dryRun,
      @Nullable Instant from,
      @Nullable Instant to,
      String status,
      int attempts,
      Map<String, Long> counts,
      long repaired,
      @Nullable Instant startedAt,
      @Nullable Instant finishedAt,
      @Nullable Long durationMs,
      String error) {
    static RunView of(RunRecord run) {
      Map<String, Long> counts = new LinkedHashMap<>();
      run.counts().forEach((category, n) -> counts.put(category.wireName(), n));
      return new RunView(
          run.id().toString(),
          null,
          run.trigger().name().toLowerCase(java.util.Locale.ROOT),
          run.dryRun(),
          run.from(),
          run.to(),
          run.status().wireName(),
          run.attempts(),
          counts,
          run.repaired(),
          run.startedAt(),
          run.finishedAt(),
          run.duration() == null ? null : run.duration().toMillis(),
          run.error());
    }

    static RunView queued(UUID jobId) {
      return new RunView(
          null,
          jobId.toString(),
          null,
          false,
          null,
          null,
          "queued",
          0,
          Map.of(),
          0,
          null,
          null,
          null,
          "");
    }
  }

  /** A page of runs, newest first. */
  public record RunPageView(List<RunView> runs, @Nullable String nextCursor) {}

  /** A discrepancy as admins see it; {@code version} is also its ETag. */
  public record DiscrepancyView(
      String id,
      String subject,
      String reference,
      String category,
      String status,
      String expected,
      String reported,
      String localEvidence,
      String providerEvidence,
      String suggestedAction,
      String source,
      @Nullable String runId,
      int version,
      Instant createdAt,
      Instant updatedAt,
      @Nullable String resolution,
      String note,
      @Nullable String resolvedBy,
      @Nullable Instant resolvedAt) {
    static DiscrepancyView of(Discrepancy d) {
      return new DiscrepancyView(
          d.id().toString(),
          d.subject().wireName(),
          d.reference(),
          d.kind().wireName(),
          d.status().wireName(),
          d.expected(),
          d.reported(),
          d.localEvidence(),
          d.providerEvidence(),
          d.suggestedAction().wireName(),
          d.source(),
          d.runId() == null ? null : d.runId().toString(),
          d.version(),
          d.createdAt(),
          d.updatedAt(),
          d.resolution(),
          d.note(),
          d.resolvedBy(),
          d.resolvedAt());
    }
  }

  /** A page of discrepancies. */
  public record DiscrepancyPageView(
      List<DiscrepancyView> discrepancies, @Nullable String nextCursor) {}

  /** What a person decided about a discrepancy. */
  public enum ResolveAction {
    @JsonProperty("settle")
    SETTLE,
    @JsonProperty("refund")
    REFUND,
    @JsonProperty("mark_resolved")
    MARK_RESOLVED,
    @JsonProperty("ignore")
    IGNORE
  }

  /** {@code POST /api/admin/discrepancies/{id}/resolve}; mark_resolved and ignore need a note. */
  public record ResolveRequest(
      @NotNull ResolveAction action,
      @Size(max = 2000)
          @Pattern(regexp = "^[^\\p{Cntrl}]*$", message = "must not hold control" + " characters")
          @Nullable String note) {}

  /** One thing needing a person's attention. */
  public record AlertView(
      String kind, String summary, @Nullable String runId, @Nullable Instant at) {}

  /** The open alerts. */
  public record AlertsView(List<AlertView> alerts) {}

  /** Declares the routes. */
  public void register(Api api) {
    Access admin = Access.role(Role.ADMIN);
    api.get("/api/admin/reconciliation/runs")
        .summary("Reconciliation runs, newest first; status, limit (1-100), cursor")
        .tag("admin")
        .access(admin)
        .responds(200, RunPageView.class)
        .handle(this::listRuns);
    api.post("/api/admin/reconciliation/runs")
        .summary("Start a run now on a worker (202 with its job id), or a dry run answered at once")
        .tag("admin")
        .access(admin)
        .idempotency(Idempotency.REQUIRED)
        .body(RunRequest.class)
        .responds(202, RunView.class)
        .handle(this::startRun);
    api.get("/api/admin/reconciliation/runs/{id}")
        .summary("One run, found by its id or by its job's id")
        .tag("admin")
        .access(admin)
        .responds(200, RunView.class)
        .handle(this::showRun);
    api.get("/api/admin/discrepancies")
        .summary("Discrepancies; status, category, reference, limit (1-100), cursor")
        .tag("admin")
        .access(admin)
        .responds(200, DiscrepancyPageView.class)
        .handle(this::listDiscrepancies);
    api.get("/api/admin/discrepancies/{id}")
        .summary("One discrepancy, with its version as ETag")
        .tag("admin")
        .access(admin)
        .responds(200, DiscrepancyView.class)
        .handle(call -> send(call.ctx(), discrepancy(call)));
    api.post("/api/admin/discrepancies/{id}/resolve")
        .summary("Settle, refund, mark resolved or ignore a discrepancy (If-Match: its ETag)")
        .tag("admin")
        .access(admin)
        .body(ResolveRequest.class)
        .responds(200, DiscrepancyView.class)
        .handle(this::resolve);
    api.get("/api/admin/alerts")
        .summary("Open alerts: failed reconciliation runs, dead-lettered jobs")
        .tag("admin")
        .access(admin)
        .responds(200, AlertsView.class)
        .handle(this::alerts);
  }

  private Reconciliation engine() {
    Reconciliation r = reconciliation;
    if (r == null) {
      throw ProblemCode.SERVICE_UNAVAILABLE.exception("Reconciliation is starting; try again.");
    }
    return r;
  }

  private void listRuns(Call call) {
    Context ctx = call.ctx();
    RunQuery query = RunQuery.all().limit(limit(ctx.queryParam("limit")));
    String status = ctx.queryParam("status");
    if (status != null) {
      query = query.status(parse("status", status, RunStatus::fromWireName));
    }
    RunPage page = engine().runs(query.cursor(cursor(ctx)));
    ctx.json(new RunPageView(page.runs().stream().map(RunView::of).toList(), page.nextCursor()));
  }

  private void startRun(Call call) {
    RunRequest request = call.body(RunRequest.class);
    if ((request.from() == null) != (request.to() == null)) {
      throw invalid("from", "give both from and to, or neither");
    }
    if (request.from() != null && !request.from().isBefore(request.to())) {
      throw invalid("from", "must be before to");
    }
    Reconciliation engine = engine();
    if (Boolean.TRUE.equals(request.dryRun())) {
      // A dry run writes nothing, so it is answered in the request: there is nothing to queue.
      RunRecord preview =
          request.from() == null ? engine.dryRun() : engine.dryRun(request.from(), request.to());
      call.ctx().status(200).json(RunView.of(preview));
      return;
    }
    if (request.from() != null) {
      RunRecord run = engine.run(request.from(), request.to());
      record(
          call, "admin.reconciliation.run", "run:" + run.id(), Outcome.SUCCESS, "Run of a window");
      call.ctx().status(202).json(RunView.of(run));
      return;
    }
    UUID job = engine.enqueueRun(queue);
    record(call, "admin.reconciliation.run", "job:" + job, Outcome.SUCCESS, "Run queued");
    call.ctx().status(202).json(RunView.queued(job));
  }

  private void showRun(Call call) {
    UUID id = uuid(call.ctx().pathParam("id"));
    Reconciliation engine = engine();
    Optional<RunRecord> run = engine.findRun(id).or(() -> engine.runOfJob(id));
    call.ctx()
        .json(
            run.map(RunView::of)
                .orElseThrow(() -> ProblemCode.NOT_FOUND.exception("No run has this id.")));
  }

  private void listDiscrepancies(Call call) {
    Context ctx = call.ctx();
    DiscrepancyQuery query = DiscrepancyQuery.all().limit(limit(ctx.queryParam("limit")));
    String status = ctx.queryParam("status");
    if (status != null) {
      query = query.status(parse("status", status, DiscrepancyStatus::fromWireName));
    }
    String category = ctx.queryParam("category");
    if (category != null) {
      query = query.kind(parse("category", category, Category::fromWireName));
    }
    String reference = ctx.queryParam("reference");
    if (reference != null) {
      query = query.reference(reference);
    }
    DiscrepancyPage page = engine().discrepancies(query.cursor(cursor(ctx)));
    ctx.json(
        new DiscrepancyPageView(
            page.discrepancies().stream().map(DiscrepancyView::of).toList(), page.nextCursor()));
  }

  private Discrepancy discrepancy(Call call) {
    return engine()
        .findDiscrepancy(uuid(call.ctx().pathParam("id")))
        .orElseThrow(() -> ProblemCode.NOT_FOUND.exception("No discrepancy has this id."));
  }

  private void resolve(Call call) {
    UUID id = uuid(call.ctx().pathParam("id"));
    ResolveRequest request = call.body(ResolveRequest.class);
    int version = expectedVersion(call.ctx());
    String note = request.note() == null ? "" : request.note();
    Resolution.Action action = Resolution.Action.valueOf(request.action().name());
    if ((action == Resolution.Action.MARK_RESOLVED || action == Resolution.Action.IGNORE)
        && note.isBlank()) {
      throw invalid("note", "say why when marking resolved or ignoring");
    }
    String actor = "user:" + call.principal().userId();
    ResolveResult result = engine().resolve(id, new Resolution(action, actor, note), version);
    String target = "discrepancy:" + id;
    switch (result) {
      case ResolveResult.Resolved resolved -> {
        record(
            call,
            "admin.discrepancy.resolved",
            target,
            Outcome.SUCCESS,
            "Discrepancy " + action.wireName() + ": " + clipNote(note));
        send(call.ctx(), resolved.discrepancy());
      }
      case ResolveResult.AlreadyResolved already -> send(call.ctx(), already.discrepancy());
      case ResolveResult.Conflict conflict -> {
        record(
            call,
            "admin.discrepancy.resolve_refused",
            target,
            Outcome.FAILURE,
            "Changed meanwhile (version " + conflict.current().version() + ")");
        throw ProblemCode.PRECONDITION_FAILED.exception(
            "The discrepancy is at version "
                + conflict.current().version()
                + " ("
                + conflict.current().status().wireName()
                + "); read it again.");
      }
      case ResolveResult.NotApplicable notApplicable -> {
        record(
            call,
            "admin.discrepancy.resolve_refused",
            target,
            Outcome.FAILURE,
            action.wireName() + " refused: " + clipNote(notApplicable.reason()));
        throw ProblemCode.VALIDATION_FAILED.exception(
            notApplicable.reason(),
            List.of(new Problem.FieldError("action", notApplicable.reason())));
      }
      case ResolveResult.NotFound notFound ->
          throw ProblemCode.NOT_FOUND.exception("No discrepancy has this id.");
    }
  }

  private void alerts(Call call) {
    List<AlertView> alerts = new ArrayList<>();
    // A failed run stays an alert until a run started after it succeeds: then it was recovered.
    // A success at the same instant does not count, so that a tie never hides a failure.
    Reconciliation engine = engine();
    Instant recovered =
        engine.runs(RunQuery.all().status(RunStatus.SUCCEEDED).limit(1)).runs().stream()
            .findFirst()
            .map(RunRecord::startedAt)
            .orElse(Instant.MIN);
    for (RunRecord run : engine.runs(RunQuery.all().status(RunStatus.FAILED).limit(20)).runs()) {
      if (run.startedAt().isAfter(recovered)) {
        alerts.add(
            new AlertView(
                "reconciliation_job_failure",
                "Reconciliation run failed: " + run.error(),
                run.id().toString(),
                run.finishedAt() == null ? run.startedAt() : run.finishedAt()));
      }
    }
    long dead =
        db.withHandle(
            h ->
                h.createQuery("SELECT count(*) FROM odim_queue.dead_letters")
                    .mapTo(Long.class)
                    .one());
    if (dead > 0) {
      alerts.add(
          new AlertView("dead_letters", dead + " jobs in the dead-letter state", null, null));
    }
    call.ctx().json(new AlertsView(alerts));
  }

  private static void send(Context ctx, Discrepancy d) {
    ctx.header("ETag", "\"" + d.version() + "\"");
    ctx.json(DiscrepancyView.of(d));
  }

  private static int expectedVersion(Context ctx) {
    String ifMatch = ctx.header("If-Match");
    if (ifMatch == null) {
      throw ProblemCode.PRECONDITION_REQUIRED.exception(
          "Send If-Match with the ETag of the discrepancy you read.");
    }
    String tag = ifMatch.strip();
    if (tag.matches("\"[0-9]{1,9}\"")) {
      return Integer.parseInt(tag.substring(1, tag.length() - 1));
    }
    throw ProblemCode.PRECONDITION_FAILED.exception(
        "If-Match is not a version of this discrepancy; read it again.");
  }

  private void record(Call call, String action, String target, Outcome outcome, String summary) {
    db.useTransaction(
        h ->
            audit.record(
                h,
                AuditEvent.builder(action)
                    .target(clip(target))
                    .outcome(outcome)
                    .summary(summary)
                    .actor("user:" + call.principal().userId())
                    .actorIp(call.clientIp())
                    .requestId(RequestIds.of(call.ctx()))
                    .build()));
  }

  private static String clip(String target) {
    return target.length() <= AuditEvent.MAX_ID_LENGTH
        ? target
        : target.substring(0, AuditEvent.MAX_ID_LENGTH);
  }

  private static String clipNote(String note) {
    return note.length() <= 200 ? note : note.substring(0, 200);
  }

  private static @Nullable String cursor(Context ctx) {
    return ctx.queryParam("cursor");
  }

  private static UUID uuid(String text) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw ProblemCode.NOT_FOUND.exception("No such id.");
    }
  }

  private static <T> T parse(String field, String text, java.util.function.Function<String, T> f) {
    try {
      return f.apply(text);
    } catch (IllegalArgumentException e) {
      throw invalid(field, "is not one of the known values");
    }
  }

  private static RuntimeException invalid(String field, String message) {
    return ProblemCode.VALIDATION_FAILED.exception(
        field + ": " + message, List.of(new Problem.FieldError(field, message)));
  }

  private static int limit(@Nullable String text) {
    if (text == null) {
      return 50;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw invalid("limit", "must be 1 to " + MAX_LIMIT);
  }
}
