package dev.odim.uploads.client.internal;

import dev.odim.uploads.client.RetryPolicy;
import dev.odim.uploads.client.TusClientException;
import dev.odim.uploads.client.Upload;
import dev.odim.uploads.client.UploadResult;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One upload call: creates the upload (or its parts), sends the file chunk by chunk from the
 * server's offset, and after any failure asks the server for its offset again before going on, so
 * at most the unacknowledged part of one chunk is ever sent twice.
 */
public final class UploadRun {
  private static final int HASH_BUFFER = 1024 * 1024;

  private final Settings settings;
  private final @Nullable Upload upload;
  private final Cancellation cancellation;
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicInteger retries = new AtomicInteger();
  // what a terminating cancel deletes: the upload, or every part and the final upload
  private final List<URI> created = new CopyOnWriteArrayList<>();
  private volatile @Nullable URI mainUrl;
  private @Nullable Progress progress;

  public UploadRun(Settings settings, Upload upload, Cancellation cancellation) {
    this(settings, cancellation, upload);
  }

  private UploadRun(Settings settings, Cancellation cancellation, @Nullable Upload upload) {
    this.settings = settings;
    this.upload = upload;
    this.cancellation = cancellation;
  }

  /** A run with no file, for the single requests {@link #offset} and {@link #terminate}. */
  public static UploadRun requests(Settings settings) {
    return new UploadRun(settings, new Cancellation(), null);
  }

  private Upload upload() {
    if (upload == null) {
      throw new IllegalStateException("this run only sends single requests");
    }
    return upload;
  }

  private String file() {
    return upload == null ? "the file" : upload().file().toString();
  }

  /** Runs the upload to its end. */
  public UploadResult run() {
    mainUrl = upload().resumeUrl();
    try (FileChannel channel = FileChannel.open(upload().file(), StandardOpenOption.READ)) {
      long length = channel.size();
      int parts = (int) Math.min(upload().parts(), Math.max(1, length));
      Progress progress = new Progress(upload().progress(), length, parts);
      this.progress = progress;
      try {
        return parts == 1 ? single(channel, length, progress) : parallel(channel, length, parts);
      } catch (Ended ended) {
        return ended(ended, progress);
      }
    } catch (IOException e) {
      throw new TusClientException(
          "could not read " + file() + ": " + e.getMessage(), mainUrl, 0, null, e);
    }
  }

  private UploadResult single(FileChannel channel, long length, Progress progress) throws Ended {
    URI url = upload().resumeUrl();
    long known = -1;
    if (url == null) {
      url = create(length, upload().metadata(), null);
      mainUrl = url;
      created.add(url);
      known = 0;
    }
    long start = transfer(url, channel, 0, length, known, 0, progress, cancellation);
    progress.completed();
    return new UploadResult.Completed(url, length, start, bytesSent.get(), retries.get());
  }

  private UploadResult parallel(FileChannel channel, long length, int parts) throws Ended {
    Progress progress = this.progress;
    if (progress == null) {
      throw new IllegalStateException("progress before parts");
    }
    long partSize = Math.ceilDiv(length, parts);
    List<URI> urls = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      URI url = create(Math.min(partSize, length - i * partSize), Map.of(), "partial");
      urls.add(url);
      created.add(url);
    }
    // the parts' own switch: the caller's cancel flips it, and so does the first part that fails,
    // which stops its siblings instead of letting them finish for nothing
    Cancellation partsCancellation = new Cancellation();
    cancellation.onCancel(() -> partsCancellation.cancel(false));
    Exception failure = null;
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      CompletionService<Long> done = new ExecutorCompletionService<>(threads);
      for (int i = 0; i < parts; i++) {
        int part = i;
        long base = part * partSize;
        long partLength = Math.min(partSize, length - base);
        URI url = urls.get(part);
        done.submit(
            () -> transfer(url, channel, base, partLength, 0, part, progress, partsCancellation));
      }
      for (int i = 0; i < parts; i++) {
        try {
          done.take().get();
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause() instanceof Exception cause ? cause : e;
            partsCancellation.cancel(false);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      partsCancellation.cancel(false);
      throw Ended.cancelled();
    }
    if (cancellation.isCancelled()) {
      throw Ended.cancelled();
    }
    if (failure != null) {
      // the parts are useless without this call, which alone knows their URLs
      deleteQuietly(urls);
      switch (failure) {
        case Ended ended -> throw ended;
        case RuntimeException unchecked -> throw unchecked;
        default ->
            throw new TusClientException(
                "a part of the upload failed: " + failure, null, 0, null, failure);
      }
    }
    String concat = "final;" + urls.stream().map(URI::toString).collect(Collectors.joining(" "));
    URI url = create(-1, upload().metadata(), concat);
    mainUrl = url;
    created.add(url);
    progress.completed();
    return new UploadResult.Completed(url, length, 0, bytesSent.get(), retries.get());
  }

  private UploadResult ended(Ended ended, Progress progress) {
    return switch (ended.kind) {
      case CANCELLED -> {
        boolean terminated = false;
        if (cancellation.terminate()) {
          List<URI> targets = created.isEmpty() ? listOf(upload().resumeUrl()) : created;
          terminated = !targets.isEmpty() && terminateAll(targets);
        }
        yield new UploadResult.Cancelled(
            mainUrl, progress.sum(), terminated, bytesSent.get(), retries.get());
      }
      case GONE ->
          new UploadResult.Gone(
              requireUrl(ended.url), ended.status, bytesSent.get(), retries.get());
      case REJECTED ->
          new UploadResult.Rejected(
              ended.url, ended.status, ended.code, ended.detail, bytesSent.get(), retries.get());
    };
  }

  private static List<URI> listOf(@Nullable URI url) {
    return url == null ? List.of() : List.of(url);
  }

  private static URI requireUrl(@Nullable URI url) {
    if (url == null) {
      throw new IllegalStateException("a gone upload has a URL");
    }
    return url;
  }

  /**
   * Sends {@code [base, base + length)} of the file as the upload at {@code url}, from {@code
   * known} (-1: ask the server first). Returns the offset the server held at the start.
   */
  private long transfer(
      URI url,
      FileChannel channel,
      long base,
      long length,
      long known,
      int part,
      Progress progress,
      Cancellation cancel)
      throws Ended {
    long offset = known;
    long start = known;
    long best = Math.max(known, 0);
    Attempts attempts = new Attempts(url, cancel);
    ByteBuffer hashBuffer = null;
    boolean offsetFromHead = false;
    boolean sentAny = false;
    if (known >= 0) {
      progress.acknowledged(part, known);
    }
    while (true) {
      if (cancel.isCancelled()) {
        throw Ended.cancelled();
      }
      if (offset < 0) {
        Answer answer = send(head(url), cancel);
        HttpResponse<byte[]> response = answer.response();
        if (response != null && isSuccess(response.statusCode())) {
          offset = offsetOf(response, url);
          long declared = headerLong(response, "Upload-Length", url);
          if (declared >= 0 && declared != length) {
            throw new TusClientException(
                "the upload at " + url + " is " + declared + " bytes long, the file " + length,
                url,
                response.statusCode(),
                null,
                null);
          }
          if (offset > length) {
            throw protocol(url, "HEAD gave offset " + offset + " beyond the length " + length);
          }
          if (!sentAny) {
            // until a chunk is acknowledged, the latest HEAD is where this call starts: one read
            // right after a break can be stale
            start = offset;
          }
          progress.acknowledged(part, offset);
          if (offset > best) {
            best = offset;
            attempts.reset();
          }
          offsetFromHead = true;
          continue;
        }
        attempts.endOrRetry(answer, false);
        continue;
      }
      if (offset == length) {
        return start;
      }
      long size = Math.min(settings.chunkSize(), length - offset);
      MessageDigest digest = settings.checksum().newDigest();
      String checksum = null;
      if (digest != null) {
        if (hashBuffer == null) {
          hashBuffer = ByteBuffer.allocate(HASH_BUFFER);
        }
        checksum = checksum(channel, base + offset, size, digest, hashBuffer, url);
      }
      // an offset read by HEAD right after a break can be stale: the server may still be
      // recording the broken request's last bytes. Asking first (100-continue) lets it answer
      // 409 before the chunk is sent rather than after
      boolean expect = offsetFromHead && settings.expectContinueOnResume();
      offsetFromHead = false;
      Answer answer =
          send(patch(url, channel, base + offset, offset, size, checksum, expect, cancel), cancel);
      HttpResponse<byte[]> response = answer.response();
      if (response != null && isSuccess(response.statusCode())) {
        long next = offsetOf(response, url);
        if (next > offset + size || next > length) {
          throw protocol(url, "PATCH of " + size + " bytes at " + offset + " acknowledged " + next);
        }
        if (next > offset) {
          sentAny = true;
          offset = next;
          progress.acknowledged(part, offset);
          if (offset > best) {
            best = offset;
            attempts.reset();
          }
          continue;
        }
        // the server took nothing: count it as a failed attempt, so this cannot loop forever
      } else {
        attempts.endOrRetry(answer, true);
        offset = -1;
        continue;
      }
      attempts.retry(null, response.statusCode(), null, "the server acknowledged no bytes", null);
      offset = -1;
    }
  }

  private String checksum(
      FileChannel channel,
      long position,
      long size,
      MessageDigest digest,
      ByteBuffer buffer,
      URI url) {
    try {
      long done = 0;
      while (done < size) {
        buffer.clear().limit((int) Math.min(buffer.capacity(), size - done));
        int n = channel.read(buffer, position + done);
        if (n < 0) {
          throw new EOFException("the file ended before the upload did: was it truncated?");
        }
        digest.update(buffer.flip());
        done += n;
      }
    } catch (IOException e) {
      throw new TusClientException(
          "could not read " + file() + ": " + e.getMessage(), url, 0, null, e);
    }
    return settings.checksum().tusName()
        + " "
        + Base64.getEncoder().encodeToString(digest.digest());
  }

  /**
   * POST: a new upload of {@code length} bytes (-1: a final concatenation, whose length is known).
   */
  private URI create(long length, Map<String, String> metadata, @Nullable String concat)
      throws Ended {
    Attempts attempts = new Attempts(null, cancellation);
    while (true) {
      if (cancellation.isCancelled()) {
        throw Ended.cancelled();
      }
      HttpRequest.Builder request = request(settings.endpoint(), settings.requestTimeout());
      if (length >= 0) {
        request.header("Upload-Length", Long.toString(length));
      }
      if (!metadata.isEmpty()) {
        request.header("Upload-Metadata", Metadata.encode(metadata));
      }
      if (concat != null) {
        request.header("Upload-Concat", concat);
      }
      Answer answer = send(request.POST(HttpRequest.BodyPublishers.noBody()).build(), cancellation);
      HttpResponse<byte[]> response = answer.response();
      if (response != null && isSuccess(response.statusCode())) {
        String location = response.headers().firstValue("Location").orElse(null);
        if (location == null || location.isBlank()) {
          throw protocol(null, "the creation answer " + response.statusCode() + " has no Location");
        }
        try {
          return settings.endpoint().resolve(location.trim());
        } catch (IllegalArgumentException e) {
          throw protocol(null, "the creation answer's Location is not a URL: " + location);
        }
      }
      attempts.endOrRetry(answer, false);
    }
  }

  /** The server's offset for {@code url}, or -1 when the upload is gone. */
  public long offset(URI url) {
    Attempts attempts = new Attempts(url, cancellation);
    try {
      while (true) {
        Answer answer = send(head(url), cancellation);
        HttpResponse<byte[]> response = answer.response();
        if (response != null && isSuccess(response.statusCode())) {
          return offsetOf(response, url);
        }
        attempts.endOrRetry(answer, false);
      }
    } catch (Ended ended) {
      return switch (ended.kind) {
        case GONE -> -1;
        case CANCELLED -> throw new TusClientException("interrupted", url, 0, null, null);
        case REJECTED ->
            throw new TusClientException(
                "HEAD " + url + " was refused: " + ended.status + " " + ended.detail,
                url,
                ended.status,
                ended.code,
                null);
      };
    }
  }

  /** DELETE (tus termination); true when the upload is gone afterwards. */
  public boolean terminate(URI url) {
    Attempts attempts = new Attempts(url, cancellation);
    try {
      while (true) {
        Answer answer =
            send(request(url, settings.requestTimeout()).DELETE().build(), cancellation);
        HttpResponse<byte[]> response = answer.response();
        if (response != null && isSuccess(response.statusCode())) {
          return true;
        }
        attempts.endOrRetry(answer, false);
      }
    } catch (Ended ended) {
      return ended.kind == Ended.Kind.GONE;
    }
  }

  private boolean terminateAll(List<URI> urls) {
    // a fresh run: the cancelled one would abort its own DELETEs
    UploadRun deleting = requests(settings);
    boolean all = true;
    for (URI url : urls) {
      try {
        all &= deleting.terminate(url);
      } catch (TusClientException e) {
        all = false;
      }
    }
    return all;
  }

  private void deleteQuietly(List<URI> urls) {
    Settings once =
        new Settings(
            settings.endpoint(),
            settings.http(),
            false,
            settings.headers(),
            settings.chunkSize(),
            RetryPolicy.NONE,
            settings.checksum(),
            settings.requestTimeout(),
            settings.chunkTimeout(),
            settings.expectContinueOnResume(),
            settings.clock());
    UploadRun deleting = requests(once);
    for (URI url : urls) {
      try {
        deleting.terminate(url);
      } catch (RuntimeException e) {
        // best effort: an orphaned part expires on the server
      }
    }
  }

  private HttpRequest head(URI url) {
    return request(url, settings.requestTimeout()).HEAD().build();
  }

  private HttpRequest patch(
      URI url,
      FileChannel channel,
      long position,
      long offset,
      long size,
      @Nullable String checksum,
      boolean expectContinue,
      Cancellation cancel) {
    HttpRequest.Builder request =
        request(url, settings.chunkTimeout())
            .expectContinue(expectContinue)
            .header("Content-Type", "application/offset+octet-stream")
            .header("Upload-Offset", Long.toString(offset));
    if (checksum != null) {
      request.header("Upload-Checksum", checksum);
    }
    var body =
        new FileRegionPublisher(channel, position, size, bytesSent::addAndGet, cancel::isCancelled);
    return request.method("PATCH", body).build();
  }

  private HttpRequest.Builder request(URI url, Duration timeout) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url).timeout(timeout).header("Tus-Resumable", "1.0.0");
    settings.headers().get().forEach(request::header);
    return request;
  }

  private record Answer(@Nullable HttpResponse<byte[]> response, @Nullable IOException failure) {}

  private Answer send(HttpRequest request, Cancellation cancel) throws Ended {
    try {
      return new Answer(
          cancel.await(settings.http().sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())),
          null);
    } catch (CancellationException e) {
      throw Ended.cancelled();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel.cancel(false);
      throw Ended.cancelled();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cancel.isCancelled()) {
        throw Ended.cancelled();
      }
      for (Throwable t = cause; t != null; t = t.getCause()) {
        if (t instanceof LocalReadException local) {
          throw new TusClientException(
              "could not read " + file() + ": " + local.getCause().getMessage(),
              request.uri(),
              0,
              null,
              local);
        }
      }
      if (cause instanceof IOException io) {
        return new Answer(null, io);
      }
      throw new TusClientException(
          request.method() + " " + request.uri() + " failed: " + cause, mainUrl, 0, null, cause);
    }
  }

  private static boolean isSuccess(int status) {
    return status >= 200 && status < 300;
  }

  private long offsetOf(HttpResponse<byte[]> response, URI url) {
    long offset = headerLong(response, "Upload-Offset", url);
    if (offset < 0) {
      throw protocol(url, response.request().method() + " answered without Upload-Offset");
    }
    return offset;
  }

  private long headerLong(HttpResponse<byte[]> response, String name, URI url) {
    String value = response.headers().firstValue(name).orElse(null);
    if (value == null) {
      return -1;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed < 0) {
        throw protocol(url, name + " is negative: " + value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw protocol(url, name + " is not a number: " + value);
    }
  }

  private TusClientException protocol(@Nullable URI url, String message) {
    return new TusClientException(
        "the server broke the tus protocol: " + message,
        url != null ? url : mainUrl,
        0,
        null,
        null);
  }

  /**
   * The attempts of one step: decides whether a failed answer ends the call (gone, refused) or is
   * worth another try, and waits the backoff before it.
   */
  private final class Attempts {
    private final @Nullable URI url;
    private final Cancellation cancel;
    private int failures;

    Attempts(@Nullable URI url, Cancellation cancel) {
      this.url = url;
      this.cancel = cancel;
    }

    void reset() {
      failures = 0;
    }

    void endOrRetry(Answer answer, boolean patch) throws Ended {
      HttpResponse<byte[]> response = answer.response();
      if (response == null) {
        IOException failure = answer.failure();
        retry(failure, 0, null, String.valueOf(failure), null);
        return;
      }
      int status = response.statusCode();
      Problems.Problem problem = Problems.read(response);
      if (status == 404 || status == 410) {
        if (url != null) {
          throw Ended.gone(url, status);
        }
      }
      boolean worthRetrying =
          status >= 500
              || status == 408
              || status == 423
              || status == 429
              || (patch && (status == 409 || status == 460));
      if (!worthRetrying) {
        throw Ended.rejected(url, status, problem.code(), problem.detail());
      }
      retry(
          null,
          status,
          problem.code(),
          problem.detail(),
          Problems.retryAfter(response, settings.clock()));
    }

    void retry(
        @Nullable IOException failure,
        int status,
        @Nullable String code,
        String detail,
        @Nullable Duration retryAfter)
        throws Ended {
      failures++;
      var policy = settings.retry();
      String what = url != null ? "the upload at " + url : "creating an upload";
      if (failures >= policy.maxAttempts()) {
        throw new TusClientException(
            "gave up on "
                + what
                + " after "
                + failures
                + " attempts; the last: "
                + (status == 0 ? "" : status + " ")
                + detail,
            url != null ? url : mainUrl,
            status,
            code,
            failure);
      }
      Duration delay =
          retryAfter != null
              ? retryAfter
              : policy.delay(failures, ThreadLocalRandom.current().nextDouble());
      if (delay.compareTo(policy.maxDelay()) > 0) {
        throw new TusClientException(
            "the server asked to retry "
                + what
                + " after "
                + delay
                + ", longer than the retry policy's maxDelay "
                + policy.maxDelay(),
            url != null ? url : mainUrl,
            status,
            code,
            failure);
      }
      retries.incrementAndGet();
      try {
        if (cancel.sleep(delay)) {
          throw Ended.cancelled();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        cancel.cancel(false);
        throw Ended.cancelled();
      }
    }
  }
}
