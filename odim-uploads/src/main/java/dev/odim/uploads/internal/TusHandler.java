package dev.odim.uploads.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.Ids;
import dev.odim.core.db.Db;
import dev.odim.core.db.DbUnavailableException;
import dev.odim.core.http.HttpHandler;
import dev.odim.core.http.HttpRequest;
import dev.odim.core.http.HttpResponse;
import dev.odim.uploads.UploadConcat;
import dev.odim.uploads.UploadState;
import dev.odim.uploads.store.DurableOffsets;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jdbi.v3.core.JdbiException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tus 1.0.0 server: core protocol plus creation, creation-with-upload, creation-defer-length,
 * expiration, checksum, checksum-trailer, termination and concatenation, and CORS for browsers.
 *
 * <p>Every write to an upload happens under its lease ({@link Leases}); the recorded offset only
 * advances after the store reported the bytes below it durable, one segment at a time, so HEAD
 * always tells a resuming client the truth, also after a crash.
 */
public final class TusHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(TusHandler.class);

  static final String VERSION = "1.0.0";
  static final String EXTENSIONS =
      "creation,creation-with-upload,creation-defer-length,expiration,checksum,checksum-trailer,"
          + "termination,concatenation";
  static final String OCTET_STREAM = "application/offset+octet-stream";
  private static final String EXPOSED =
      "Location, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm,"
          + " Upload-Offset, Upload-Length, Upload-Defer-Length, Upload-Metadata, Upload-Expires,"
          + " Upload-Concat";
  private static final String ALLOWED_HEADERS =
      "Authorization, Content-Type, Tus-Resumable, Upload-Offset, Upload-Length,"
          + " Upload-Defer-Length, Upload-Metadata, Upload-Checksum, Upload-Concat,"
          + " X-HTTP-Method-Override, X-Requested-With";
  private static final String METHODS = "POST, HEAD, PATCH, DELETE, OPTIONS";
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,19}");
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  private final Settings settings;
  private final Db db;
  private final UploadTable table;
  private final Leases leases;
  private final MediaTypes mediaTypes;
  private final Ids ids;
  private final Problems problems;
  private final UploadMeters meters;

  public TusHandler(
      Settings settings,
      Db db,
      UploadTable table,
      Leases leases,
      ObjectMapper json,
      UploadMeters meters) {
    this.settings = settings;
    this.db = db;
    this.table = table;
    this.leases = leases;
    this.mediaTypes = new MediaTypes(settings.allowedMediaTypes());
    this.ids = new Ids(settings.clock());
    this.problems = new Problems(json);
    this.meters = meters;
  }

  /** The request's target: the collection, one upload, or nothing of ours. */
  private sealed interface Target {
    record Collection(String prefix) implements Target {}

    record Upload(String prefix, UUID id) implements Target {}

    record Unknown() implements Target {}
  }

  @Override
  public HttpResponse handle(HttpRequest request) throws IOException {
    HttpResponse answer;
    try {
      answer = dispatch(request);
    } catch (JdbiException | DbUnavailableException e) {
      // The offset in the database is still the truth; the client retries and resumes from it.
      LOG.warn("upload state unavailable for {} {}", request.method(), request.path(), e);
      answer =
          problems
              .answer(503, "database_unavailable", "try again shortly")
              .withHeader("Retry-After", "5");
    }
    HttpResponse response = answer.withHeader("Tus-Resumable", VERSION);
    return withCors(request, response);
  }

  private HttpResponse dispatch(HttpRequest request) throws IOException {
    String override = request.header("X-HTTP-Method-Override");
    // For clients behind proxies or browsers that cannot send PATCH or DELETE.
    String method =
        override != null && request.method().equals("POST")
            ? override.trim().toUpperCase(Locale.ROOT)
            : request.method();
    if (method.equals("OPTIONS")) {
      return options(request);
    }
    String version = request.header("Tus-Resumable");
    if (!VERSION.equals(version == null ? null : version.trim())) {
      return problems
          .answer(
              412,
              "unsupported_version",
              version == null ? "Send Tus-Resumable: 1.0.0." : "Tus-Resumable was " + version)
          .withHeader("Tus-Version", VERSION);
    }
    Target target = target(request.path());
    if (target instanceof Target.Unknown) {
      return notFound();
    }
    Optional<String> caller = settings.access().caller(request);
    if (caller.isEmpty()) {
      return problems.answer(401, "unauthenticated", null);
    }
    try {
      return switch (target) {
        case Target.Collection collection when method.equals("POST") ->
            create(request, caller.get(), collection.prefix());
        case Target.Upload upload when method.equals("HEAD") ->
            head(caller.get(), upload.prefix(), upload.id());
        case Target.Upload upload when method.equals("PATCH") ->
            patch(request, caller.get(), upload.id());
        case Target.Upload upload when method.equals("DELETE") ->
            terminate(caller.get(), upload.id());
        default ->
            problems
                .answer(405, "method_not_allowed", method + " is not allowed here")
                .withHeader(
                    "Allow", target instanceof Target.Collection ? "POST, OPTIONS" : METHODS);
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for an upload's lease");
    }
  }

  // ---- OPTIONS ----

  private HttpResponse options(HttpRequest request) {
    if (request.header("Access-Control-Request-Method") != null) {
      HttpResponse preflight = HttpResponse.of(204);
      if (allowedOrigin(request.header("Origin"))) {
        preflight =
            preflight
                .withHeader("Access-Control-Allow-Methods", METHODS)
                .withHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS)
                .withHeader("Access-Control-Max-Age", "86400");
      }
      return preflight;
    }
    return HttpResponse.of(204)
        .withHeader("Tus-Version", VERSION)
        .withHeader("Tus-Extension", EXTENSIONS)
        .withHeader("Tus-Max-Size", Long.toString(settings.maxSize()))
        .withHeader("Tus-Checksum-Algorithm", String.join(",", Checksum.NAMES));
  }

  // ---- POST: creation, creation-with-upload, creation-defer-length, concatenation ----

  private HttpResponse create(HttpRequest request, String caller, String prefix)
      throws IOException, InterruptedException {
    String concatHeader = request.header("Upload-Concat");
    UploadConcat concat = UploadConcat.SINGLE;
    List<UUID> parts = List.of();
    if (concatHeader != null) {
      String value = concatHeader.trim();
      if (value.equals("partial")) {
        concat = UploadConcat.PARTIAL;
      } else if (value.startsWith("final;")) {
        concat = UploadConcat.FINAL;
        Optional<List<UUID>> parsed = partIds(value.substring("final;".length()));
        if (parsed.isEmpty()) {
          return problems.answer(
              400, "invalid_concat", "final needs the URLs of one or more partial uploads");
        }
        parts = parsed.get();
      } else {
        return problems.answer(400, "invalid_concat", "Upload-Concat must be partial or final;");
      }
    }
    Map<String, String> metadata = Map.of();
    String metadataHeader = request.header("Upload-Metadata");
    if (metadataHeader != null) {
      Optional<Map<String, String>> parsed = TusMetadata.parse(metadataHeader);
      if (parsed.isEmpty()) {
        return problems.answer(400, "invalid_metadata", null);
      }
      metadata = parsed.get();
    }
    String filetype = metadata.get("filetype");
    if (concat != UploadConcat.PARTIAL && filetype != null && !mediaTypes.allowed(filetype)) {
      meters.refused();
      return problems.answer(415, "media_type_not_allowed", "filetype " + filetype);
    }
    if (concat == UploadConcat.FINAL) {
      return createFinal(caller, prefix, parts, metadata, metadataHeader);
    }
    String lengthHeader = request.header("Upload-Length");
    String deferHeader = request.header("Upload-Defer-Length");
    Long length = null;
    if (lengthHeader != null && deferHeader != null) {
      return problems.answer(
          400, "invalid_length", "send Upload-Length or Upload-Defer-Length, not both");
    }
    if (lengthHeader != null) {
      length = parseNumber(lengthHeader);
      if (length == null) {
        return problems.answer(400, "invalid_length", "Upload-Length was " + lengthHeader);
      }
      if (length > settings.maxSize()) {
        return tooLarge(length);
      }
    } else if (deferHeader == null || !deferHeader.trim().equals("1")) {
      return problems.answer(
          400, "invalid_length", "send Upload-Length, or Upload-Defer-Length: 1");
    }
    boolean withUpload = isOctetStream(request.header("Content-Type"));
    long declared = request.declaredLength();
    if (!withUpload && declared > 0) {
      return problems.answer(
          415, "unsupported_media_type", "a body at creation must be " + OCTET_STREAM);
    }
    if (withUpload && declared > (length == null ? settings.maxSize() : length)) {
      return tooLarge(declared);
    }
    UUID id = ids.next();
    Instant now = settings.clock().instant();
    Long finalLength = length;
    Map<String, String> finalMetadata = metadata;
    UploadConcat finalConcat = concat;
    Optional<HttpResponse> refused =
        db.inTransaction(
            handle -> {
              long used = table.lockAndMeasure(handle, caller);
              long adding = finalLength == null ? 0 : finalLength;
              if (used + adding > settings.quota().maxBytes(caller)) {
                return Optional.of(quotaExceeded(used, adding));
              }
              table.insert(
                  handle,
                  new UploadTable.NewUpload(
                      id,
                      caller,
                      finalLength,
                      finalMetadata,
                      metadataHeader,
                      finalConcat,
                      List.of(),
                      now,
                      now.plus(settings.expiry())));
              return Optional.<HttpResponse>empty();
            });
    if (refused.isPresent()) {
      return refused.get();
    }
    try {
      settings.store().create(id.toString());
    } catch (IOException e) {
      return storageFailed(id, e);
    }
    meters.created();
    HttpResponse created =
        HttpResponse.of(201).withHeader("Location", prefix + settings.basePath() + id);
    if (!withUpload && !Long.valueOf(0).equals(length)) {
      return created.withHeader("Upload-Expires", HTTP_DATE.format(now.plus(settings.expiry())));
    }
    // creation-with-upload, or an empty upload that is complete at once: the PATCH path.
    HttpResponse written = write(request, id, 0, null, withUpload, null);
    if (written.status() != 204) {
      return written;
    }
    HttpResponse answer = created;
    for (Map.Entry<String, List<String>> header : written.headers().entrySet()) {
      for (String value : header.getValue()) {
        answer = answer.withHeader(header.getKey(), value);
      }
    }
    return answer;
  }

  private HttpResponse createFinal(
      String caller,
      String prefix,
      List<UUID> parts,
      Map<String, String> metadata,
      @Nullable String metadataHeader)
      throws InterruptedException {
    Map<UUID, UploadRow> found = new HashMap<>();
    for (UploadRow row : table.findAll(parts)) {
      found.put(row.id(), row);
    }
    Instant now = settings.clock().instant();
    long length = 0;
    for (UUID part : parts) {
      UploadRow row = found.get(part);
      if (row == null || !row.owner().equals(caller) || row.expiredAt(now)) {
        return problems.answer(400, "invalid_concat", "no partial upload " + part);
      }
      if (row.concat() != UploadConcat.PARTIAL || row.state() != UploadState.FINISHED) {
        return problems.answer(
            400, "invalid_concat", "upload " + part + " is not a finished partial upload");
      }
      length += row.length() == null ? 0 : row.length();
    }
    if (length > settings.maxSize()) {
      return tooLarge(length);
    }
    UUID id = ids.next();
    long total = length;
    Optional<HttpResponse> refused =
        db.inTransaction(
            handle -> {
              long used = table.lockAndMeasure(handle, caller);
              if (used + total > settings.quota().maxBytes(caller)) {
                return Optional.of(quotaExceeded(used, total));
              }
              table.insert(
                  handle,
                  new UploadTable.NewUpload(
                      id,
                      caller,
                      total,
                      metadata,
                      metadataHeader,
                      UploadConcat.FINAL,
                      parts,
                      now,
                      now.plus(settings.expiry())));
              return Optional.<HttpResponse>empty();
            });
    if (refused.isPresent()) {
      return refused.get();
    }
    meters.created();
    Leases.Acquired acquired = leases.acquire(id);
    if (!(acquired instanceof Leases.Acquired.Taken taken)) {
      return problems.answer(423, "upload_locked", null);
    }
    Lease lease = taken.lease();
    boolean deleted = false;
    try {
      settings.store().concatenate(id.toString(), parts.stream().map(UUID::toString).toList());
      if (!table.recordOffset(id, lease.token(), 0, total, now, now.plus(settings.expiry()))) {
        return problems.answer(423, "upload_locked", null);
      }
      UploadRow row = taken.row();
      Optional<HttpResponse> failure = complete(row.withOffset(total), lease);
      if (failure.isPresent()) {
        deleted = failure.get().status() == 415;
        return failure.get();
      }
    } catch (IOException e) {
      return storageFailed(id, e);
    } finally {
      if (deleted) {
        leases.forget(lease);
      } else {
        leases.release(lease);
      }
    }
    return HttpResponse.of(201).withHeader("Location", prefix + settings.basePath() + id);
  }

  private Optional<List<UUID>> partIds(String urls) {
    List<UUID> parts = new ArrayList<>();
    for (String url : urls.trim().split(" +")) {
      if (url.isEmpty()) {
        continue;
      }
      String last = url.substring(url.lastIndexOf('/') + 1);
      if (!UUID_TEXT.matcher(last).matches()) {
        return Optional.empty();
      }
      UUID id = UUID.fromString(last);
      if (parts.contains(id)) {
        return Optional.empty();
      }
      parts.add(id);
    }
    return parts.isEmpty() ? Optional.empty() : Optional.of(parts);
  }

  // ---- HEAD ----

  private HttpResponse head(String caller, String prefix, UUID id) {
    Optional<UploadRow> found = table.find(id);
    if (found.isEmpty() || !found.get().owner().equals(caller)) {
      return notFound();
    }
    UploadRow row = found.get();
    if (row.expiredAt(settings.clock().instant())) {
      return expire(row);
    }
    HttpResponse response =
        HttpResponse.of(200)
            .withHeader("Cache-Control", "no-store")
            .withHeader("Upload-Offset", Long.toString(row.offset()));
    response =
        row.length() == null
            ? response.withHeader("Upload-Defer-Length", "1")
            : response.withHeader("Upload-Length", Long.toString(row.length()));
    if (row.metadataHeader() != null) {
      response = response.withHeader("Upload-Metadata", row.metadataHeader());
    }
    if (row.expiresAt() != null) {
      response = response.withHeader("Upload-Expires", HTTP_DATE.format(row.expiresAt()));
    }
    if (row.concat() == UploadConcat.PARTIAL) {
      response = response.withHeader("Upload-Concat", "partial");
    } else if (row.concat() == UploadConcat.FINAL) {
      response =
          response.withHeader(
              "Upload-Concat",
              "final;"
                  + row.parts().stream()
                      .map(part -> prefix + settings.basePath() + part)
                      .collect(Collectors.joining(" ")));
    }
    return response;
  }

  // ---- PATCH ----

  private HttpResponse patch(HttpRequest request, String caller, UUID id)
      throws IOException, InterruptedException {
    if (!isOctetStream(request.header("Content-Type"))) {
      return problems.answer(415, "unsupported_media_type", "Content-Type must be " + OCTET_STREAM);
    }
    String offsetHeader = request.header("Upload-Offset");
    Long offset = offsetHeader == null ? null : parseNumber(offsetHeader);
    if (offset == null) {
      return problems.answer(400, "invalid_offset", "Upload-Offset was " + offsetHeader);
    }
    String lengthHeader = request.header("Upload-Length");
    Long length = null;
    if (lengthHeader != null) {
      length = parseNumber(lengthHeader);
      if (length == null) {
        return problems.answer(400, "invalid_length", "Upload-Length was " + lengthHeader);
      }
      if (length > settings.maxSize()) {
        return tooLarge(length);
      }
    }
    Checksum checksum = null;
    String checksumHeader = request.header("Upload-Checksum");
    if (checksumHeader != null) {
      switch (Checksum.parse(checksumHeader)) {
        case Checksum.Parsed.Ok ok -> checksum = ok.checksum();
        case Checksum.Parsed.Refused refused -> {
          return refused.refusal() == Checksum.Refusal.UNSUPPORTED
              ? problems.answer(
                  400,
                  "checksum_algorithm_unsupported",
                  "supported: " + String.join(", ", Checksum.NAMES))
              : problems.answer(400, "invalid_checksum", null);
        }
      }
    }
    Optional<UploadRow> found = table.find(id);
    if (found.isEmpty() || !found.get().owner().equals(caller)) {
      return notFound();
    }
    UploadRow row = found.get();
    if (row.expiredAt(settings.clock().instant())) {
      return expire(row);
    }
    if (row.concat() == UploadConcat.FINAL) {
      return problems.answer(403, "final_upload_not_patchable", null);
    }
    if (row.state() == UploadState.FINISHED) {
      // A finished upload never changes: no lease needed to answer.
      return offset.equals(row.offset()) && request.declaredLength() <= 0
          ? HttpResponse.of(204).withHeader("Upload-Offset", Long.toString(row.offset()))
          : offsetMismatch(row.offset(), offset);
    }
    // The offset is compared under the lease, not here: a holder stuck on a silent client has
    // not recorded its last bytes yet, and asking it to let go is what brings them in.
    if (length != null && row.length() != null && !length.equals(row.length())) {
      return problems.answer(400, "invalid_length", "the length is already " + row.length());
    }
    if (length != null && length < offset) {
      return problems.answer(400, "invalid_length", "the upload already holds more bytes");
    }
    Long known = row.length() != null ? row.length() : length;
    long declared = request.declaredLength();
    if (declared > 0 && offset + declared > (known == null ? settings.maxSize() : known)) {
      return tooLarge(offset + declared);
    }
    return write(request, id, offset, checksum, true, length);
  }

  /** Writes the body at {@code offset} under the upload's lease, and completes it when full. */
  private HttpResponse write(
      HttpRequest request,
      UUID id,
      long offset,
      @Nullable Checksum checksum,
      boolean hasBody,
      @Nullable Long declareLength)
      throws IOException, InterruptedException {
    Leases.Acquired acquired = leases.acquire(id);
    if (acquired instanceof Leases.Acquired.Gone) {
      return notFound();
    }
    if (!(acquired instanceof Leases.Acquired.Taken taken)) {
      return problems.answer(423, "upload_locked", "another request is writing this upload");
    }
    Lease lease = taken.lease();
    UploadRow row = taken.row();
    boolean gone = false;
    try {
      Instant now = settings.clock().instant();
      if (row.expiredAt(now)) {
        gone = true;
        leases.forget(lease);
        table.release(id, lease.token());
        return expire(row);
      }
      if (row.offset() != offset) {
        return offsetMismatch(row.offset(), offset);
      }
      if (declareLength != null && row.length() == null) {
        Optional<HttpResponse> refused = declare(row, lease, declareLength);
        if (refused.isPresent()) {
          return refused.get();
        }
        row = row.withLength(declareLength);
      }
      long limit = (row.length() == null ? settings.maxSize() : row.length()) - offset;
      Written written;
      try {
        written =
            hasBody
                ? (checksum != null || trailerChecksum(request)
                    ? writeVerified(request, lease, offset, limit, checksum)
                    : writeStreamed(request.body(), lease, offset, limit))
                : new Written(offset, Outcome.ENDED, null);
      } catch (StoreFailure e) {
        return storageFailed(id, e.getCause());
      }
      if (written.refusal() != null) {
        return written.refusal();
      }
      UploadRow current = row.withOffset(written.offset());
      if (written.outcome() == Outcome.BROKEN) {
        throw new IOException("the client's connection broke at offset " + written.offset());
      }
      if (written.outcome() == Outcome.TAKEN_OVER) {
        return problems.answer(
            423, "upload_locked", "another request took over at offset " + written.offset());
      }
      if (current.complete()) {
        Optional<HttpResponse> failure = complete(current, lease);
        if (failure.isPresent()) {
          gone = failure.get().status() == 415;
          return failure.get();
        }
        return HttpResponse.of(204).withHeader("Upload-Offset", Long.toString(written.offset()));
      }
      return HttpResponse.of(204)
          .withHeader("Upload-Offset", Long.toString(written.offset()))
          .withHeader(
              "Upload-Expires",
              HTTP_DATE.format(settings.clock().instant().plus(settings.expiry())));
    } finally {
      if (gone) {
        leases.forget(lease);
      } else {
        leases.release(lease);
      }
    }
  }

  private Optional<HttpResponse> declare(UploadRow row, Lease lease, long length) {
    return db.inTransaction(
        handle -> {
          long used = table.lockAndMeasure(handle, row.owner());
          long adding = length - row.offset();
          if (used + adding > settings.quota().maxBytes(row.owner())) {
            return Optional.of(quotaExceeded(used, adding));
          }
          if (!table.declareLength(handle, row.id(), lease.token(), length)) {
            return Optional.of(
                problems.answer(400, "invalid_length", "the length was set meanwhile"));
          }
          return Optional.<HttpResponse>empty();
        });
  }

  private enum Outcome {
    /** The body ended (or its bytes up to the upload's length were all written). */
    ENDED,
    /** The client's connection broke; what arrived is recorded. */
    BROKEN,
    /** The lease was asked for or lost; what arrived is recorded (if the lease still allowed). */
    TAKEN_OVER
  }

  private record Written(long offset, Outcome outcome, @Nullable HttpResponse refusal) {}

  /** A store that failed (as opposed to a client that went away). */
  private static final class StoreFailure extends Exception {
    private static final long serialVersionUID = 1L;

    StoreFailure(IOException cause) {
      super(cause);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }

  /**
   * Streams the body into the store in one call; the store makes it durable segment by segment
   * while it keeps receiving, and each durable offset is recorded as it is reported.
   */
  private Written writeStreamed(InputStream source, Lease lease, long offset, long limit)
      throws StoreFailure {
    try (ReleasableBody body = new ReleasableBody(source, lease)) {
      Recorder recorder = new Recorder(lease, offset);
      append(lease, offset, new Bounded(body, limit), recorder);
      long position = recorder.recorded();
      if (recorder.lost()) {
        return new Written(position, Outcome.TAKEN_OVER, null);
      }
      if (body.failed()) {
        return new Written(position, Outcome.BROKEN, null);
      }
      if (body.stoppedByLease()) {
        return new Written(position, Outcome.TAKEN_OVER, null);
      }
      return new Written(position, Outcome.ENDED, null);
    }
  }

  /**
   * Spools the body to a file while digesting it, and appends it only when the digest matches the
   * {@code Upload-Checksum} header (or trailer): a mismatch leaves the store untouched.
   */
  private Written writeVerified(
      HttpRequest request, Lease lease, long offset, long limit, @Nullable Checksum header)
      throws IOException, StoreFailure {
    Path spool = Files.createTempFile(settings.spoolDirectory(), "odim-upload-", ".part");
    try {
      // With a trailer, the algorithm is only known at the end: keep every candidate's digest.
      Map<String, MessageDigest> digests = new HashMap<>();
      if (header != null) {
        digests.put(header.algorithm(), header.newDigest());
      } else {
        for (String name : Checksum.NAMES) {
          digests.put(name, Checksum.digestNamed(name));
        }
      }
      try (ReleasableBody body = new ReleasableBody(request.body(), lease);
          OutputStream out = Files.newOutputStream(spool)) {
        Bounded in = new Bounded(body, limit);
        byte[] buffer = new byte[ReleasableBody.BUFFER_BYTES];
        int n;
        while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
          for (MessageDigest digest : digests.values()) {
            digest.update(buffer, 0, n);
          }
          out.write(buffer, 0, n);
        }
        if (body.stoppedByLease()) {
          return new Written(offset, Outcome.TAKEN_OVER, null);
        }
      }
      Checksum checksum = header;
      if (checksum == null) {
        String trailer = trailer(request, "Upload-Checksum");
        if (trailer == null) {
          return refused(problems.answer(400, "invalid_checksum", "no Upload-Checksum trailer"));
        }
        switch (Checksum.parse(trailer)) {
          case Checksum.Parsed.Ok ok -> checksum = ok.checksum();
          case Checksum.Parsed.Refused refusal -> {
            return refused(
                refusal.refusal() == Checksum.Refusal.UNSUPPORTED
                    ? problems.answer(400, "checksum_algorithm_unsupported", null)
                    : problems.answer(400, "invalid_checksum", null));
          }
        }
      }
      if (!checksum.matches(digests.get(checksum.algorithm()).digest())) {
        return refused(
            problems.answer(460, "checksum_mismatch", checksum.algorithm() + " did not match"));
      }
      long size = Files.size(spool);
      Recorder recorder = new Recorder(lease, offset);
      try (InputStream in = new WhileUsable(Files.newInputStream(spool), lease)) {
        append(lease, offset, in, recorder);
      }
      long position = recorder.recorded();
      return new Written(
          position, position - offset == size ? Outcome.ENDED : Outcome.TAKEN_OVER, null);
    } finally {
      Files.deleteIfExists(spool);
    }
  }

  private static Written refused(HttpResponse response) {
    return new Written(0, Outcome.ENDED, response);
  }

  private static boolean trailerChecksum(HttpRequest request) {
    for (String value : request.headers("Trailer")) {
      for (String name : value.split(",")) {
        if (name.trim().equalsIgnoreCase("Upload-Checksum")) {
          return true;
        }
      }
    }
    return false;
  }

  private static @Nullable String trailer(HttpRequest request, String name) {
    for (Map.Entry<String, String> entry : request.trailers().entrySet()) {
      if (entry.getKey().equalsIgnoreCase(name)) {
        return entry.getValue();
      }
    }
    return null;
  }

  private void append(Lease lease, long position, InputStream in, Recorder recorder)
      throws StoreFailure {
    try {
      settings
          .store()
          .append(lease.uploadId().toString(), position, in, settings.segmentSize(), recorder);
    } catch (IOException e) {
      throw new StoreFailure(e);
    }
  }

  /**
   * Records each offset the store reports durable, in order, under the lease; tells the store to
   * stop when the lease no longer allows recording. Called from the store's thread while the
   * request's thread is inside the append, so its fields are read after the append returned.
   */
  private final class Recorder implements DurableOffsets {
    private final Lease lease;
    private volatile long recorded;
    private volatile boolean lost;

    Recorder(Lease lease, long offset) {
      this.lease = lease;
      this.recorded = offset;
    }

    @Override
    public boolean durable(long offset) {
      if (lost) {
        return false;
      }
      if (!record(lease, recorded, offset)) {
        lost = true;
        return false;
      }
      recorded = offset;
      return true;
    }

    long recorded() {
      return recorded;
    }

    /** Whether recording was refused: another writer took the upload over. */
    boolean lost() {
      return lost;
    }
  }

  /** A stream that ends as soon as the lease is no longer usable, checked before every read. */
  private static final class WhileUsable extends FilterInputStream {
    private final Lease lease;

    WhileUsable(InputStream in, Lease lease) {
      super(in);
      this.lease = lease;
    }

    @Override
    public int read() throws IOException {
      return lease.usable() ? super.read() : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return lease.usable() ? super.read(b, off, len) : -1;
    }
  }

  private boolean record(Lease lease, long from, long to) {
    Instant now = settings.clock().instant();
    return table.recordOffset(
        lease.uploadId(), lease.token(), from, to, now, now.plus(settings.expiry()));
  }

  /**
   * Finishes a complete upload under its lease: the store's finish, the media type sniffed and
   * checked, then the row marked finished and the host's hook, in one transaction. Empty when done;
   * a response when refused (415, the upload removed) or failed.
   */
  private Optional<HttpResponse> complete(UploadRow row, Lease lease) {
    String id = row.id().toString();
    boolean partial = row.concat() == UploadConcat.PARTIAL;
    String type = null;
    try {
      settings.store().finish(id, row.offset());
      if (!partial) {
        try (InputStream in = settings.store().open(id)) {
          type = mediaTypes.sniff(in);
        }
        if (!mediaTypes.allowed(type)) {
          table.deleteHeld(row.id(), lease.token());
          settings.store().delete(id);
          meters.refused();
          return Optional.of(
              problems.answer(415, "media_type_not_allowed", "the file's content is " + type));
        }
      }
    } catch (IOException e) {
      return Optional.of(storageFailed(row.id(), e));
    }
    String mediaType = type;
    Instant now = settings.clock().instant();
    try {
      db.useTransaction(
          handle -> {
            if (table.finish(handle, row.id(), mediaType, now, partial) && !partial) {
              settings
                  .completion()
                  .completed(handle, table.findIn(handle, row.id()).orElseThrow().info());
            }
          });
    } catch (RuntimeException e) {
      LOG.error("completion of upload {} failed", id, e);
      return Optional.of(
          problems.answer(500, "completion_failed", "send an empty PATCH to try again"));
    }
    meters.completed();
    return Optional.empty();
  }

  // ---- DELETE ----

  private HttpResponse terminate(String caller, UUID id) throws InterruptedException {
    Optional<UploadRow> found = table.find(id);
    if (found.isEmpty() || !found.get().owner().equals(caller)) {
      return notFound();
    }
    Leases.Acquired acquired = leases.acquire(id);
    if (acquired instanceof Leases.Acquired.Gone) {
      return notFound();
    }
    if (!(acquired instanceof Leases.Acquired.Taken taken)) {
      return problems.answer(423, "upload_locked", "another request is writing this upload");
    }
    leases.forget(taken.lease());
    table.deleteHeld(id, taken.lease().token());
    try {
      settings.store().delete(id.toString());
    } catch (IOException e) {
      // The row is gone, so the clean-up's orphan pass removes the bytes later.
      LOG.warn("bytes of terminated upload {} stay until the clean-up", id, e);
    }
    meters.terminated();
    return HttpResponse.of(204);
  }

  // ---- helpers ----

  /** Removes an expired upload (unless a live writer holds it) and answers 410. */
  private HttpResponse expire(UploadRow row) {
    if (table.deleteExpired(row.id(), settings.clock().instant())) {
      try {
        settings.store().delete(row.id().toString());
      } catch (IOException e) {
        LOG.warn("bytes of expired upload {} stay until the clean-up", row.id(), e);
      }
      meters.expired();
    }
    return problems.answer(410, "upload_expired", null);
  }

  private Target target(String path) {
    String base = settings.basePath();
    String bare = base.substring(0, base.length() - 1);
    if (path.endsWith(base)) {
      return new Target.Collection(path.substring(0, path.length() - base.length()));
    }
    if (path.endsWith(bare)) {
      return new Target.Collection(path.substring(0, path.length() - bare.length()));
    }
    int at = path.lastIndexOf(base);
    if (at < 0) {
      return new Target.Unknown();
    }
    String rest = path.substring(at + base.length());
    if (!UUID_TEXT.matcher(rest).matches()) {
      return new Target.Unknown();
    }
    return new Target.Upload(path.substring(0, at), UUID.fromString(rest));
  }

  private static @Nullable Long parseNumber(String text) {
    String trimmed = text.trim();
    if (!DIGITS.matcher(trimmed).matches()) {
      return null;
    }
    try {
      return Long.parseLong(trimmed);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean isOctetStream(@Nullable String contentType) {
    return contentType != null
        && contentType.split(";", 2)[0].trim().equalsIgnoreCase(OCTET_STREAM);
  }

  private HttpResponse notFound() {
    return problems.answer(404, "upload_not_found", null);
  }

  private HttpResponse offsetMismatch(long actual, long sent) {
    return problems
        .answer(409, "offset_mismatch", "the upload is at " + actual + ", not " + sent)
        .withHeader("Upload-Offset", Long.toString(actual));
  }

  private HttpResponse tooLarge(long length) {
    return problems.answer(
        413, "upload_too_large", length + " bytes is over the maximum of " + settings.maxSize());
  }

  private HttpResponse quotaExceeded(long used, long adding) {
    return problems.answer(
        413, "quota_exceeded", "holding " + used + " bytes, adding " + adding + " is over quota");
  }

  private HttpResponse storageFailed(UUID id, IOException e) {
    LOG.error("the store failed on upload {}", id, e);
    return problems.answer(500, "storage_failed", null);
  }

  private boolean allowedOrigin(@Nullable String origin) {
    return origin != null
        && (settings.corsOrigins().contains("*") || settings.corsOrigins().contains(origin));
  }

  private HttpResponse withCors(HttpRequest request, HttpResponse response) {
    String origin = request.header("Origin");
    if (!allowedOrigin(origin)) {
      return response;
    }
    return response
        .withHeader("Access-Control-Allow-Origin", origin)
        .withHeader("Access-Control-Allow-Credentials", "true")
        .withHeader("Access-Control-Expose-Headers", EXPOSED)
        .withHeader("Vary", "Origin");
  }
}
