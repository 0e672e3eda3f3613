package dev.odim.uploads.client;

/**
 * Hears how far an upload has got. Called after each chunk the server acknowledged, from the thread
 * doing the upload (for a parallel upload, from one part's thread at a time, never concurrently);
 * keep it quick, it delays the next chunk.
 */
@FunctionalInterface
public interface ProgressListener {

  /** Does nothing. */
  ProgressListener NONE = (acknowledged, total) -> {};

  /**
   * @param acknowledged bytes the server has confirmed it holds; never decreases between calls, and
   *     ends at {@code total} when the upload completes
   * @param total the upload's length
   */
  void onProgress(long acknowledged, long total);
}
