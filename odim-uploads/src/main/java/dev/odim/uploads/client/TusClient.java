package dev.odim.uploads.client;

import dev.odim.uploads.client.internal.Cancellation;
import dev.odim.uploads.client.internal.Settings;
import dev.odim.uploads.client.internal.UploadRun;
import java.net.URI;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Uploads files to a tus 1.0 server, surviving broken connections and server restarts: after any
 * failure it asks the server how much it holds ({@code HEAD}) and continues from there, so a break
 * costs at most the unacknowledged part of one chunk.
 *
 * <pre>{@code
 * try (TusClient tus = TusClient.builder(URI.create("https://odim.example/uploads/"))
 *     .headers(() -> Map.of("Cookie", session.cookie()))
 *     .build()) {
 *   switch (tus.upload(Upload.of(file).withMetadata("filename", "talk.mp4"))) {
 *     case UploadResult.Completed done -> save(done.url());
 *     case UploadResult.Rejected no -> show(no.detail());
 *     case UploadResult.Gone gone -> retryFromScratch();
 *     case UploadResult.Cancelled cancelled -> {}
 *   }
 * }
 * }</pre>
 *
 * <p>A client is immutable and safe to share between threads; uploads run side by side. It speaks
 * the core protocol and the creation, termination, checksum and concatenation extensions.
 */
public final class TusClient implements AutoCloseable {
  private final Settings settings;

  TusClient(Settings settings) {
    this.settings = settings;
  }

  /**
   * A builder for a client of the tus server whose creation endpoint is {@code endpoint}, e.g.
   * {@code https://host/uploads/}.
   */
  public static TusClientBuilder builder(URI endpoint) {
    return new TusClientBuilder(endpoint);
  }

  /**
   * Uploads the file, in the calling thread: creates the upload (or resumes the one at {@link
   * Upload#resumeUrl()}) and sends every byte the server does not hold yet.
   *
   * @return how it ended: {@link UploadResult.Completed}, or {@link UploadResult.Rejected} / {@link
   *     UploadResult.Gone} when the server's answer leaves nothing to retry, or {@link
   *     UploadResult.Cancelled} when the thread was interrupted
   * @throws TusClientException when retries ran out, the server broke the protocol, or the file
   *     could not be read; its {@link TusClientException#uploadUrl()} says where to resume
   */
  public UploadResult upload(Upload upload) {
    return new UploadRun(settings, upload, new Cancellation()).run();
  }

  /** Uploads the file in a virtual thread, returning a handle to wait for it or cancel it. */
  public UploadTask start(Upload upload) {
    Cancellation cancellation = new Cancellation();
    CompletableFuture<UploadResult> result = new CompletableFuture<>();
    Thread.ofVirtual()
        .name("tus-upload")
        .start(
            () -> {
              try {
                result.complete(new UploadRun(settings, upload, cancellation).run());
              } catch (Throwable e) {
                result.completeExceptionally(e);
              }
            });
    return new UploadTask(result, cancellation);
  }

  /**
   * How many bytes the server holds of the upload at {@code url} ({@code HEAD}), or empty when it
   * no longer exists; retried like any request.
   *
   * @throws TusClientException when retries ran out or the server refused the request
   */
  public OptionalLong offset(URI url) {
    long offset = runner().offset(url);
    return offset < 0 ? OptionalLong.empty() : OptionalLong.of(offset);
  }

  /**
   * Deletes the upload at {@code url} (tus termination); true when it is gone afterwards, including
   * when it was gone before.
   */
  public boolean terminate(URI url) {
    return runner().terminate(url);
  }

  private UploadRun runner() {
    return UploadRun.requests(settings);
  }

  /** The settings this client was built with, for logs and diagnostics. */
  @Override
  public String toString() {
    return "TusClient[endpoint="
        + settings.endpoint()
        + ", chunkSize="
        + settings.chunkSize()
        + ", retry="
        + settings.retry()
        + ", checksum="
        + settings.checksum()
        + "]";
  }

  /** Closes the HTTP client when this client made it; one passed to the builder stays open. */
  @Override
  public void close() {
    if (settings.ownsHttp()) {
      settings.http().close();
    }
  }
}
