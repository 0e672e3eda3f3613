package dev.odim.server.internal.content;

import dev.odim.core.db.Db;
import dev.odim.core.http.HttpHandler;
import dev.odim.queue.JobQueue;
import dev.odim.queue.NewJob;
import dev.odim.queue.Schedule;
import dev.odim.queue.Worker;
import dev.odim.server.internal.JavalinHttp;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.Call;
import dev.odim.server.internal.web.Idempotency;
import dev.odim.server.internal.web.PageCursor;
import dev.odim.server.internal.web.Role;
import dev.odim.server.internal.web.SignedInRequest;
import dev.odim.uploads.CleanUpReport;
import dev.odim.uploads.UploadQuota;
import dev.odim.uploads.Uploads;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creators' uploads: the tus 1.0 routes under {@code /uploads/} (DESIGN.md) and {@code GET
 * /api/creators/me/contents}.
 *
 * <p>Every tus route is declared through {@link Api} like any other: {@code OPTIONS} is public (a
 * browser's CORS preflight carries no cookie), the rest need a creator's session, so the access
 * check has run before odim-uploads sees the request. The handler learns who calls only from the
 * {@link SignedInRequest} the route wraps around the request, never from a header. An upload
 * belongs to the creator who created it; another creator gets 404 for it, as for one that does not
 * exist.
 *
 * <p>When the last byte arrives, odim-uploads sniffs the type, and in the transaction that marks
 * the upload finished this class records the content, so an upload is never finished without its
 * record.
 */
public final class UploadRoutes implements AutoCloseable {
  /** The collection's path (DESIGN.md). */
  public static final String BASE_PATH = "/uploads/";

  /** The largest file a creator may upload. */
  public static final long MAX_UPLOAD_BYTES = 2L << 30;

  /**
   * How many bytes one creator's uploads may add up to (finished and unfinished, as odim-uploads
   * counts them). A fixed figure until plans exist; docs/uploads.md names it.
   */
  public static final long QUOTA_BYTES = 20L << 30;

  /** What creators sell: video, audio, images and PDF documents. */
  public static final List<String> MEDIA_TYPES =
      List.of("video/*", "audio/*", "image/*", "application/pdf");

  /** The queue of the clean-up job. */
  public static final String QUEUE = "uploads";

  /** The job that removes expired uploads and orphaned bytes. */
  public static final String CLEAN_UP_JOB = "uploads.clean-up";

  private static final Logger log = LoggerFactory.getLogger(UploadRoutes.class);
  private static final Pattern UPLOAD_ID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final Db db;
  private final Contents contents;
  private final Uploads uploads;

  private UploadRoutes(Db db, Contents contents, Uploads uploads) {
    this.db = db;
    this.contents = contents;
    this.uploads = uploads;
  }

  /**
   * Builds the uploads on {@code db} (schema {@code odim_uploads}, migrated here) with the bytes in
   * {@code directory}.
   */
  public static UploadRoutes start(Db db, Clock clock, Path directory, MeterRegistry registry) {
    Contents contents = new Contents(clock);
    Uploads uploads =
        Uploads.builder(db)
            .clock(clock)
            .directory(directory)
            .basePath(BASE_PATH)
            .maxSize(MAX_UPLOAD_BYTES)
            .allowedMediaTypes(MEDIA_TYPES)
            .quota(UploadQuota.fixed(QUOTA_BYTES))
            .access(request -> SignedInRequest.userId(request).map(UUID::toString))
            .onCompletion(contents::record)
            .meterRegistry(registry)
            .build();
    return new UploadRoutes(db, contents, uploads);
  }

  /** The uploads, for hosts and tests that read finished files from the store. */
  public Uploads uploads() {
    return uploads;
  }

  /** A content as its creator sees it. */
  public record ContentView(
      UUID id, @Nullable String filename, String mediaType, long size, Instant createdAt) {}

  /** One page of contents, newest first. */
  public record ContentPage(List<ContentView> contents, @Nullable String nextCursor) {}

  public void register(Api api) {
    HttpHandler tus = uploads.handler();
    api.options(BASE_PATH)
        .summary("tus 1.0: the server's version, extensions and maximum size (Tus-* headers)")
        .tag("uploads")
        .access(Access.PUBLIC)
        .idempotency(Idempotency.NONE)
        .responds(204, null)
        .handle(call -> JavalinHttp.serve(call.ctx(), tus, JavalinHttp.request(call.ctx())));
    api.options(BASE_PATH + "{id}")
        .summary("tus 1.0: CORS preflight of an upload's URL")
        .tag("uploads")
        .access(Access.PUBLIC)
        .idempotency(Idempotency.NONE)
        .responds(204, null)
        .handle(
            call -> {
              // No upload can live at an address that is no upload id: say so, as for any path.
              if (!UPLOAD_ID.matcher(call.ctx().pathParam("id")).matches()) {
                throw ProblemCode.NOT_FOUND.exception("There is no upload at this address.");
              }
              JavalinHttp.serve(call.ctx(), tus, JavalinHttp.request(call.ctx()));
            });
    api.post(BASE_PATH)
        .summary(
            "tus 1.0 creation: Upload-Length (at most 2 GiB) or Upload-Defer-Length, Upload-Metadata"
                + " filename and filetype (video, audio, image, PDF); 201 with Location")
        .tag("uploads")
        .access(Access.role(Role.CREATOR))
        .idempotency(Idempotency.NONE)
        .responds(201, null)
        .handle(call -> tus(call, tus));
    api.head(BASE_PATH + "{id}")
        .summary("tus 1.0: the upload's durable offset (Upload-Offset) and length")
        .tag("uploads")
        .access(Access.role(Role.CREATOR))
        .idempotency(Idempotency.NONE)
        .handle(call -> tus(call, tus));
    api.patch(BASE_PATH + "{id}")
        .summary(
            "tus 1.0: append application/offset+octet-stream bytes at Upload-Offset; 204 with the"
                + " new offset. The last chunk records the content")
        .tag("uploads")
        .access(Access.role(Role.CREATOR))
        .idempotency(Idempotency.NONE)
        .responds(204, null)
        .handle(call -> tus(call, tus));
    api.delete(BASE_PATH + "{id}")
        .summary("tus 1.0 termination: removes an upload and its bytes")
        .tag("uploads")
        .access(Access.role(Role.CREATOR))
        .idempotency(Idempotency.NONE)
        .responds(204, null)
        .handle(call -> tus(call, tus));
    api.get("/api/creators/me/contents")
        .summary("The signed-in creator's uploaded contents, newest first; limit (1-100), cursor")
        .tag("creators")
        .access(Access.role(Role.CREATOR))
        .responds(200, ContentPage.class)
        .handle(this::list);
  }

  private static void tus(Call call, HttpHandler tus) {
    JavalinHttp.serve(call.ctx(), tus, SignedInRequest.of(JavalinHttp.request(call.ctx()), call));
  }

  /**
   * Every 15 minutes (UTC), once across every instance: the slot is the job's id, so instances that
   * fire the same slot enqueue one job.
   */
  public static Schedule cleanUpSchedule() {
    return Schedule.cron(
        "odim.server.uploads.clean-up",
        "*/15 * * * *",
        ZoneOffset.UTC,
        NewJob.of(CLEAN_UP_JOB, "{}").queue(QUEUE).timeout(Duration.ofMinutes(10)));
  }

  /** The worker that runs the clean-up schedule. */
  public Worker startWorker(JobQueue queue, MeterRegistry registry) {
    return queue
        .worker()
        .queue(QUEUE)
        .concurrency(1)
        .handler(CLEAN_UP_JOB, job -> cleanUp())
        .schedule(cleanUpSchedule())
        .meterRegistry(registry)
        .start();
  }

  private void cleanUp() {
    CleanUpReport report = uploads.cleanUp();
    if (report.expired() > 0 || report.orphans() > 0) {
      log.info(
          "Upload clean-up removed {} expired uploads and {} orphaned files",
          report.expired(),
          report.orphans());
    } else {
      log.debug("Upload clean-up found nothing to remove");
    }
  }

  private void list(Call call) {
    UUID creator = call.principal().userId();
    int limit = PageCursor.limit(call.ctx().queryParam("limit"));
    PageCursor after = PageCursor.parse(call.ctx().queryParam("cursor"), UploadRoutes::isUuid);
    List<Contents.Content> rows =
        db.withHandle(
            h ->
                contents.page(
                    h,
                    creator,
                    after == null ? null : after.createdAt(),
                    after == null ? null : UUID.fromString(after.key()),
                    limit + 1));
    String next = null;
    if (rows.size() > limit) {
      rows = rows.subList(0, limit);
      Contents.Content last = rows.get(limit - 1);
      next = new PageCursor(last.createdAt(), last.id().toString()).text();
    }
    List<ContentView> views =
        rows.stream()
            .map(c -> new ContentView(c.id(), c.filename(), c.mediaType(), c.size(), c.createdAt()))
            .toList();
    call.ctx().json(new ContentPage(views, next));
  }

  private static boolean isUuid(String key) {
    try {
      UUID.fromString(key);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Stops the lease heartbeat and closes the store. */
  @Override
  public void close() {
    uploads.close();
  }
}
