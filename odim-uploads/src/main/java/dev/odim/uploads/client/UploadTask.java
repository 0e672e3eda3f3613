package dev.odim.uploads.client;

import dev.odim.uploads.client.internal.Cancellation;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * An upload running in the background ({@link TusClient#start}): wait for it, or cancel it.
 * Cancelling aborts the request in flight at once; the result is then {@link
 * UploadResult.Cancelled}.
 */
public final class UploadTask {
  private final CompletableFuture<UploadResult> result;
  private final Cancellation cancellation;

  UploadTask(CompletableFuture<UploadResult> result, Cancellation cancellation) {
    this.result = result;
    this.cancellation = cancellation;
  }

  /**
   * Stops the upload and leaves it on the server, resumable from {@link
   * UploadResult.Cancelled#url()} later (until the server expires it).
   */
  public void cancel() {
    cancellation.cancel(false);
  }

  /**
   * Stops the upload and deletes it on the server (tus termination), so its bytes do not linger
   * until expiry. {@link UploadResult.Cancelled#terminated()} says whether the delete succeeded.
   */
  public void cancelAndTerminate() {
    cancellation.cancel(true);
  }

  /**
   * The outcome, when it comes; completes exceptionally with {@link TusClientException}. Cancelling
   * this future does not stop the upload: {@link #cancel()} does.
   */
  public CompletableFuture<UploadResult> result() {
    return result.copy();
  }

  /**
   * Waits for the outcome.
   *
   * @throws TusClientException when the upload failed after every retry
   */
  public UploadResult await() {
    try {
      return result.join();
    } catch (CompletionException | CancellationException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }
}
